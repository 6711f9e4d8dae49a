package dev.strata.trace;

import dev.strata.protocol.CborSerializable;
import java.util.Arrays;

/**
 * What one task member did, as the scheduler recorded it. Times are {@code System.nanoTime()} of the engine's
 * JVM, 0 when the step did not happen (a task skipped before dispatch has only a submit time). An early
 * dispatch (sent to the worker running its producers, before they finished) has {@code dispatchNanos <
 * readyNanos}, and may even start before the scheduler saw it ready; {@link #early()} marks it.
 *
 * @param slot          the task's slot in its run
 * @param groupIndex    member index (0 for single tasks)
 * @param groupSize     members of the task (1 for single tasks)
 * @param callable      callable name: registered chip kernel name, or {@code sub#<id>}
 * @param worker        worker that ran it ("chip 1", "sub worker 0"), empty if it never reached one
 * @param producers     slots it depended on (the live producers wired at submit)
 * @param submitNanos   when the orchestrator submitted it
 * @param readyNanos    when the scheduler saw its last producer complete (or at submit, with none)
 * @param dispatchNanos when the scheduler sent it to the worker
 * @param startNanos    when the worker started it (for a PROCESS-mode chip: the proxy round trip)
 * @param endNanos      when the worker finished it
 * @param early         dispatched before it was ready, queued behind its producers on the same worker
 * @param status        how it ended
 */
public record TaskTrace(int slot, int groupIndex, int groupSize, String callable, String worker, int[] producers,
                        long submitNanos, long readyNanos, long dispatchNanos, long startNanos, long endNanos,
                        boolean early, TaskStatus status) implements CborSerializable {

    /** True when this member ran on a worker (completed or failed), so it has start and end times. */
    public boolean ran() {
        return status != TaskStatus.SKIPPED && !worker.isEmpty();
    }

    /** End - start, 0 for a member that did not run. */
    public long durationNanos() {
        return ran() ? endNanos - startNanos : 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskTrace t && slot == t.slot && groupIndex == t.groupIndex && groupSize == t.groupSize
                && callable.equals(t.callable) && worker.equals(t.worker) && Arrays.equals(producers, t.producers)
                && submitNanos == t.submitNanos && readyNanos == t.readyNanos && dispatchNanos == t.dispatchNanos
                && startNanos == t.startNanos && endNanos == t.endNanos && early == t.early && status == t.status;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * slot + groupIndex) + Arrays.hashCode(producers);
    }

    @Override
    public String toString() {
        return "TaskTrace[slot=" + slot + (groupSize > 1 ? " member " + groupIndex + "/" + groupSize : "") + " "
                + callable + " on " + (worker.isEmpty() ? "-" : worker) + " producers=" + Arrays.toString(producers)
                + " " + status + (early ? " early" : "") + " dur=" + durationNanos() + "ns]";
    }
}
