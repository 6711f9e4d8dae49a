package dev.strata.cluster;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The order of one chip entity's work on its node: jobs (batches of tasks) run one after the other on the executor,
 * in the order they came, as a chip runs one task at a time on a single node — while the head keeps several tasks
 * in flight per chip. A job waits at most {@code patience} (the node's {@code task-timeout}) for the one running
 * before it: by then the head has given that task up and dispatched it again, so when the next job comes the queue
 * is drained by a new runner beside the stuck one (a kernel that hangs does not stop its chip for good; it runs
 * twice at once at worst, as docs/cluster.md says of a retry after a timeout). Thread-safe.
 */
final class ChipQueue {
    private final Executor executor;
    private final long patienceNanos;
    private final LongSupplier nanos;
    // Guarded by this.
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private Runner runner; // the one draining the queue, or null when it is empty

    /** Jobs run on {@code executor}; one waits at most {@code patience} for the one before it. */
    ChipQueue(Executor executor, Duration patience) {
        this(executor, patience, System::nanoTime);
    }

    /** As above, reading time from {@code nanos} ({@code System.nanoTime} but in tests). */
    ChipQueue(Executor executor, Duration patience, LongSupplier nanos) {
        this.executor = executor;
        this.patienceNanos = patience.toNanos();
        this.nanos = nanos;
    }

    /** Runs {@code job} after the jobs submitted before it (or beside one stuck longer than the patience). */
    void submit(Runnable job) {
        Runner start = null;
        synchronized (this) {
            queue.add(job);
            if (runner == null || runner.busy && nanos.getAsLong() - runner.since > patienceNanos) {
                runner = start = new Runner();
            }
        }
        if (start != null) {
            executor.execute(start);
        }
    }

    /** Jobs waiting to run. */
    synchronized int waiting() {
        return queue.size();
    }

    private final class Runner implements Runnable {
        // Guarded by ChipQueue.this.
        private boolean busy;
        private long since;

        @Override
        public void run() {
            while (true) {
                Runnable job;
                synchronized (ChipQueue.this) {
                    if (runner != this) {
                        return; // displaced while its last job ran too long: another runner drains the queue
                    }
                    job = queue.poll();
                    if (job == null) {
                        runner = null;
                        return;
                    }
                    busy = true;
                    since = nanos.getAsLong();
                }
                try {
                    job.run(); // a job answers its own failures (NodeChip.run never throws)
                } finally {
                    synchronized (ChipQueue.this) {
                        busy = false;
                    }
                }
            }
        }
    }
}
