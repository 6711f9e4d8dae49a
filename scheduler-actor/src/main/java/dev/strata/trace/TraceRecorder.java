package dev.strata.trace;

import dev.strata.protocol.TaskError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the trace of one run inside the scheduler: plain, single-threaded, no I/O. The scheduler calls it
 * only when tracing is enabled; {@link #finish()} hands the records over (in the scheduler's reply to
 * {@code FinishRun}) and starts the next run empty.
 */
public final class TraceRecorder {
    private final Map<Integer, Entry> entries = new HashMap<>();
    private final List<Entry> order = new ArrayList<>();

    private static final class Entry {
        final int slot;
        final String callable;
        final int[] producers;
        final long submit;
        long ready;
        boolean early;
        final String[] workers;
        final long[] dispatch;
        final long[] start;
        final long[] end;
        final TaskStatus[] memberStatus;

        Entry(int slot, String callable, int groupSize, int[] producers, long submit) {
            this.slot = slot;
            this.callable = callable;
            this.producers = producers;
            this.submit = submit;
            this.workers = new String[groupSize];
            this.dispatch = new long[groupSize];
            this.start = new long[groupSize];
            this.end = new long[groupSize];
            this.memberStatus = new TaskStatus[groupSize];
        }
    }

    /** A task of {@code groupSize} members was submitted at {@code submitNanos}, wired to {@code producers}. */
    public void submitted(int slot, String callable, int groupSize, int[] producers, long submitNanos) {
        Entry e = new Entry(slot, callable, groupSize, producers.clone(), submitNanos);
        entries.put(slot, e);
        order.add(e);
    }

    /** The slot's last producer completed (or it had none) at {@code nanos}. */
    public void ready(int slot, long nanos) {
        Entry e = entries.get(slot);
        if (e != null && e.ready == 0) {
            e.ready = nanos;
        }
    }

    /** Member {@code member} was sent to {@code worker} at {@code nanos}; {@code early} if before it was ready. */
    public void dispatched(int slot, int member, String worker, long nanos, boolean early) {
        Entry e = entries.get(slot);
        if (e != null) {
            e.workers[member] = worker;
            e.dispatch[member] = nanos;
            e.early |= early;
        }
    }

    /** Member {@code member} finished on its worker; {@code skipped} when the worker did not run it. */
    public void memberDone(int slot, int member, long startNanos, long endNanos, TaskError error, boolean skipped) {
        Entry e = entries.get(slot);
        if (e != null) {
            e.start[member] = startNanos;
            e.end[member] = endNanos;
            e.memberStatus[member] = skipped ? TaskStatus.SKIPPED
                    : error != null ? TaskStatus.FAILED : TaskStatus.COMPLETED;
        }
    }

    /** Tasks recorded so far in this run. */
    public int size() {
        return order.size();
    }

    /** This run's records, one per task member in submit order; then forgets them. */
    public List<TaskTrace> finish() {
        List<TaskTrace> out = new ArrayList<>(order.size());
        for (Entry e : order) {
            int n = e.workers.length;
            for (int m = 0; m < n; m++) {
                // A member never reported did not run: its task was skipped before dispatch.
                TaskStatus status = e.memberStatus[m] == null ? TaskStatus.SKIPPED : e.memberStatus[m];
                String worker = e.workers[m] == null ? "" : e.workers[m];
                out.add(new TaskTrace(e.slot, m, n, e.callable, worker, e.producers, e.submit, e.ready,
                        e.dispatch[m], e.start[m], e.end[m], e.early, status));
            }
        }
        entries.clear();
        order.clear();
        return out;
    }
}
