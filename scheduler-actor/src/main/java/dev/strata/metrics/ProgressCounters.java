package dev.strata.metrics;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live task counters of one engine. This is the one piece of state the scheduler deliberately shares: the
 * scheduler actor is the only writer (plain ordered stores, no locks, no CAS), and {@code Worker.progress()},
 * the JMX bean and the command line's progress display only read. The user thread resets it at the start of
 * a run, when the scheduler is idle (it writes only while a run's messages arrive).
 */
public final class ProgressCounters {
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong running = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong readyQueued = new AtomicLong();

    /** Called by the user thread before a run's first submit: every counter back to zero. */
    public void reset() {
        submitted.set(0);
        running.set(0);
        done.set(0);
        failed.set(0);
        skipped.set(0);
        readyQueued.set(0);
    }

    /** Scheduler: publishes the counts it keeps (single writer, so an ordered store is enough). */
    public void publish(long submittedTasks, long runningTasks, long doneTasks, long failedTasks, long skippedTasks,
                        long readyTasks) {
        submitted.lazySet(submittedTasks);
        running.lazySet(runningTasks);
        done.lazySet(doneTasks);
        failed.lazySet(failedTasks);
        skipped.lazySet(skippedTasks);
        readyQueued.lazySet(readyTasks);
    }

    /** Tasks (slots; a group counts once) the scheduler has received this run. */
    public long submitted() {
        return submitted.get();
    }

    /** Tasks dispatched to workers and not finished yet (running, or queued on their worker). */
    public long running() {
        return running.get();
    }

    /** Tasks that ran and succeeded. */
    public long done() {
        return done.get();
    }

    /** Tasks with a failed member. */
    public long failed() {
        return failed.get();
    }

    /** Tasks that did not run because a producer failed. */
    public long skipped() {
        return skipped.get();
    }

    /** Ready tasks waiting in the scheduler for room on a worker. */
    public long readyQueued() {
        return readyQueued.get();
    }
}
