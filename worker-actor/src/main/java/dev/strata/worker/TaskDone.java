package dev.strata.worker;

import dev.strata.protocol.CborSerializable;
import dev.strata.protocol.TaskError;

/**
 * A worker finished one dispatch; {@code error} is null on success.
 *
 * @param slot        the task's slot
 * @param groupIndex  member index in a group
 * @param kind        kind of the worker that ran it
 * @param workerIndex index of that worker within its kind
 * @param error       the failure, or null
 */
public record TaskDone(int slot, int groupIndex, WorkerKind kind, int workerIndex, TaskError error)
        implements CborSerializable {
}
