package dev.strata.dispatch;

import dev.strata.graph.SlotState;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Dispatch policy for the workers of one kind: a FIFO of ready slots and how many dispatches each worker
 * holds. A slot goes to the least-loaded workers (an idle one whenever there is one) and queues behind a
 * busy worker only up to {@code queueDepth}; a group's N members go to N distinct workers, queued there
 * in the one global dispatch order, so two groups sharing workers reach them in the same order on each.
 *
 * <p>Besides the ready FIFO, each worker has an affinity queue: pending single tasks whose unfinished
 * producers all run on that worker. Only when no ready slot is waiting are they sent to it early, queued
 * behind their producers, so a chain of tasks runs back to back on one worker without a round trip
 * through the scheduler per hop, and never delays a ready task or group.
 *
 * <p>A pool may let a worker that is turning short tasks over hold more: up to {@code shortTaskDepth} while the
 * last task it finished ran under {@link #SHORT_TASK_NANOS} and ended less than that long ago. Tiny tasks run
 * faster than the scheduler can hand a worker its next one, so with only {@code queueDepth} held such a worker
 * runs dry and parks its thread every few tasks, and the wake-ups cost more than the tasks; a longer queue of
 * short tasks makes nobody wait long. A worker running a long task (or one that has not finished a short one
 * lately) holds at most {@code queueDepth}, as before.
 */
public final class WorkerPool {

    /** Receives the pool's decisions. */
    public interface Sink {
        /** Member {@code groupIndex} of {@code s} goes to worker {@code worker}. */
        void dispatch(SlotState s, int groupIndex, int worker);

        /** The worker pending {@code s} may still be sent to early, or -1 (checked again when it is due). */
        default int affineWorker(SlotState s) {
            return -1;
        }
    }

    /** A task shorter than this is short, and a worker that ended one less than this long ago is fast. */
    static final long SHORT_TASK_NANOS = 50_000;

    private final int[] inflight;
    private int idle; // workers holding no dispatch
    private final int queueDepth;
    private final int shortTaskDepth;
    private final boolean[] fast; // its last task was short (and ended at lastEnd)
    private final long[] lastEnd;
    private final LongSupplier clock;
    private long now; // the clock at the current pump, when shortTaskDepth > queueDepth
    private final ArrayDeque<SlotState> ready = new ArrayDeque<>();
    private final ArrayDeque<SlotState>[] affine;
    private int cursor; // rotates ties so equal-load workers share the work

    /** A pool of {@code workers} workers, each holding at most {@code queueDepth} dispatches. */
    public WorkerPool(int workers, int queueDepth) {
        this(workers, queueDepth, queueDepth);
    }

    /**
     * A pool of {@code workers} workers, each holding at most {@code queueDepth} dispatches, or up to
     * {@code shortTaskDepth} while it is turning short tasks over (see the class comment).
     */
    public WorkerPool(int workers, int queueDepth, int shortTaskDepth) {
        this(workers, queueDepth, shortTaskDepth, System::nanoTime);
    }

    /** As above, reading the time from {@code clock} (tests). */
    WorkerPool(int workers, int queueDepth, int shortTaskDepth, LongSupplier clock) {
        this.clock = clock;
        if (queueDepth < 1) {
            throw new IllegalArgumentException("queue depth must be >= 1, got " + queueDepth);
        }
        if (shortTaskDepth < queueDepth) {
            throw new IllegalArgumentException("short-task depth " + shortTaskDepth + " below queue depth "
                    + queueDepth);
        }
        this.inflight = new int[workers];
        this.idle = workers;
        this.queueDepth = queueDepth;
        this.shortTaskDepth = shortTaskDepth;
        this.fast = new boolean[workers];
        this.lastEnd = new long[workers];
        @SuppressWarnings("unchecked")
        ArrayDeque<SlotState>[] queues = new ArrayDeque[workers];
        for (int i = 0; i < workers; i++) {
            queues[i] = new ArrayDeque<>();
        }
        this.affine = queues;
    }

    /** Pending {@code s} may run early on {@code worker}; sent when the worker has room and it still may. */
    public void offerAffine(SlotState s, int worker) {
        affine[worker].add(s);
    }

    /** {@code s} became ready. */
    public void enqueue(SlotState s) {
        if (s.groupSize() > inflight.length) {
            throw new IllegalArgumentException(s + " needs " + s.groupSize() + " workers, the pool has "
                    + inflight.length);
        }
        ready.add(s);
    }

    /** Worker {@code worker} finished one dispatch, of unknown duration (or skipped it). */
    public void done(int worker) {
        if (inflight[worker] <= 0) {
            throw new IllegalStateException("worker " + worker + " reported more completions than dispatches");
        }
        if (--inflight[worker] == 0) {
            idle++;
        }
        fast[worker] = false;
    }

    /** Worker {@code worker} ran one dispatch from {@code startNanos} to {@code endNanos} (this JVM's clock). */
    public void done(int worker, long startNanos, long endNanos) {
        done(worker);
        fast[worker] = endNanos - startNanos < SHORT_TASK_NANOS;
        lastEnd[worker] = endNanos;
    }

    /** Dispatches {@code worker} may hold now. */
    int depth(int worker) {
        return shortTaskDepth > queueDepth && fast[worker] && now - lastEnd[worker] < SHORT_TASK_NANOS
                ? shortTaskDepth : queueDepth;
    }

    /** Dispatches ready slots in FIFO order while workers have room; then, if none waits, early ones. */
    public void pump(Sink sink) {
        if (shortTaskDepth > queueDepth) {
            now = clock.getAsLong();
        }
        pumpReady(sink);
        if (!ready.isEmpty()) {
            return; // a ready slot (say a group waiting for room on N workers) goes first: no refills
        }
        for (int w = 0; w < affine.length; w++) {
            ArrayDeque<SlotState> q = affine[w];
            while (inflight[w] < depth(w) && !q.isEmpty()) {
                SlotState s = q.poll();
                if (sink.affineWorker(s) == w) { // else it became ready, or lost its affinity: stale
                    took(w);
                    sink.dispatch(s, 0, w);
                }
            }
        }
    }

    /** Forgets queued affinity offers (between runs, when every slot is consumed). */
    public void clearAffinity() {
        for (ArrayDeque<SlotState> q : affine) {
            q.clear();
        }
    }

    private void pumpReady(Sink sink) {
        int[] chosen = new int[1];
        while (!ready.isEmpty()) {
            SlotState s = ready.peek();
            int n = s.groupSize();
            if (chosen.length < n) {
                chosen = new int[n];
            }
            if (!choose(n, chosen)) {
                return;
            }
            ready.poll();
            for (int i = 0; i < n; i++) {
                took(chosen[i]);
                sink.dispatch(s, i, chosen[i]);
            }
        }
    }

    private void took(int worker) {
        if (inflight[worker]++ == 0) {
            idle--;
        }
    }

    /** Whether some worker holds no dispatch at all (and a ready slot would start on it at once). */
    public boolean hasIdleWorker() {
        return idle > 0;
    }

    public int workers() {
        return inflight.length;
    }

    public int queuedReady() {
        return ready.size();
    }

    /** Dispatches held by {@code worker} (running plus queued). */
    public int inflight(int worker) {
        return inflight[worker];
    }

    private boolean choose(int n, int[] chosen) {
        int w = inflight.length;
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int j = 0; j < w; j++) {
                int i = (cursor + j) % w;
                if (inflight[i] >= depth(i) || taken(chosen, k, i)) {
                    continue;
                }
                if (best < 0 || inflight[i] < inflight[best]) {
                    best = i;
                    if (inflight[i] == 0) {
                        break;
                    }
                }
            }
            if (best < 0) {
                return false;
            }
            chosen[k] = best;
        }
        cursor = (chosen[n - 1] + 1) % w;
        return true;
    }

    private static boolean taken(int[] chosen, int k, int worker) {
        for (int i = 0; i < k; i++) {
            if (chosen[i] == worker) {
                return true;
            }
        }
        return false;
    }
}
