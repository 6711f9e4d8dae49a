package dev.strata.worker;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.strata.protocol.CborSerializable;
import dev.strata.protocol.TaskError;

/**
 * A worker finished one dispatch; {@code error} is null on success. {@code skipped} says the worker did
 * not run it because a slot it was told to follow ({@link WorkerDispatch#after()}) failed on this worker.
 *
 * @param slot        the task's slot
 * @param groupIndex  member index in a group
 * @param kind        kind of the worker that ran it
 * @param workerIndex index of that worker within its kind
 * @param error       the failure, or null
 * @param skipped     true when the task was not run because a predecessor on this worker failed
 * @param startNanos  {@code System.nanoTime()} in the worker's JVM just before the callable ran (for a
 *                    PROCESS-mode chip, before the proxy's round trip to its child); equals {@code endNanos}
 *                    for a skipped task
 * @param endNanos    {@code System.nanoTime()} just after the callable returned or threw
 * @param warning     what the tag checker ({@code strata.check.tags}) found wrong without failing the task (the
 *                    callable wrote a NO_DEP tensor), for the run summary; null when nothing
 */
public record TaskDone(int slot, int groupIndex, WorkerKind kind, int workerIndex, TaskError error,
                       boolean skipped, long startNanos, long endNanos,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String warning) implements CborSerializable {

    /** A completion without a warning. */
    public TaskDone(int slot, int groupIndex, WorkerKind kind, int workerIndex, TaskError error, boolean skipped,
                    long startNanos, long endNanos) {
        this(slot, groupIndex, kind, workerIndex, error, skipped, startNanos, endNanos, null);
    }

    /** A completion without timestamps (tests, and workers that do not measure). */
    public TaskDone(int slot, int groupIndex, WorkerKind kind, int workerIndex, TaskError error, boolean skipped) {
        this(slot, groupIndex, kind, workerIndex, error, skipped, 0L, 0L, null);
    }
}
