package dev.strata.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.graph.SlotState;
import dev.strata.graph.TaskGraph;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.worker.WorkerKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WorkerPoolTest {
    private final List<SlotState> readySlots = new ArrayList<>();
    private final TaskGraph graph = new TaskGraph(new TaskGraph.Events() {
        @Override
        public void ready(SlotState s) {
            readySlots.add(s);
        }

        @Override
        public void consumed(int slot, boolean failed) {
        }
    }, slot -> false);
    private final List<int[]> dispatched = new ArrayList<>(); // {slot, member, worker}
    private int nextSlot;

    private SlotState ready(int width) {
        graph.submit(nextSlot++, WorkerKind.SUB, 0, Collections.nCopies(width, TaskArgsSnapshot.EMPTY),
                CallConfig.DEFAULT, new int[0]);
        return readySlots.get(readySlots.size() - 1);
    }

    private void pump(WorkerPool pool) {
        pool.pump((s, member, worker) -> dispatched.add(new int[] {s.slot(), member, worker}));
    }

    @Test
    void idleWorkersArePreferredOverQueueing() {
        WorkerPool pool = new WorkerPool(3, 4);
        for (int i = 0; i < 3; i++) {
            pool.enqueue(ready(1));
        }
        pump(pool);
        assertEquals(3, dispatched.size());
        for (int w = 0; w < 3; w++) {
            assertEquals(1, pool.inflight(w), "each worker got one task before any got two");
        }
    }

    @Test
    void aWorkerIsIdleOnlyWhileItHoldsNoDispatch() {
        WorkerPool pool = new WorkerPool(2, 2);
        assertTrue(pool.hasIdleWorker());
        pool.enqueue(ready(1));
        pool.enqueue(ready(1));
        pool.enqueue(ready(1));
        pump(pool);
        assertFalse(pool.hasIdleWorker(), "both hold a dispatch, one of them two");
        pool.done(dispatched.get(0)[2]);
        assertEquals(pool.inflight(dispatched.get(0)[2]) == 0, pool.hasIdleWorker());
        pool.done(dispatched.get(1)[2]);
        pool.done(dispatched.get(2)[2]);
        assertTrue(pool.hasIdleWorker());
        assertEquals(0, pool.inflight(0) + pool.inflight(1));
    }

    @Test
    void aBusyWorkerQueuesUpToTheDepthOnly() {
        WorkerPool pool = new WorkerPool(1, 2);
        for (int i = 0; i < 5; i++) {
            pool.enqueue(ready(1));
        }
        pump(pool);
        assertEquals(2, dispatched.size());
        assertEquals(3, pool.queuedReady());
        pool.done(0);
        pump(pool);
        assertEquals(3, dispatched.size());
    }

    @Test
    void groupMembersGoToDistinctWorkers() {
        WorkerPool pool = new WorkerPool(4, 1);
        pool.enqueue(ready(3));
        pump(pool);
        assertEquals(3, dispatched.size());
        assertEquals(3, dispatched.stream().mapToInt(d -> d[2]).distinct().count());
        for (int m = 0; m < 3; m++) {
            assertEquals(m, dispatched.get(m)[1]);
        }
    }

    @Test
    void groupWaitsUntilEnoughWorkersHaveRoomAndKeepsFifoOrder() {
        WorkerPool pool = new WorkerPool(2, 1);
        pool.enqueue(ready(1));
        pump(pool);
        pool.enqueue(ready(2));
        pool.enqueue(ready(1));
        pump(pool);
        assertEquals(1, dispatched.size(), "the group needs both workers; the single behind it waits its turn");
        pool.done(dispatched.get(0)[2]);
        pump(pool);
        assertEquals(3, dispatched.size());
        assertEquals(1, dispatched.get(1)[0]);
    }

    @Test
    void groupWiderThanThePoolIsRejected() {
        WorkerPool pool = new WorkerPool(2, 1);
        assertThrows(IllegalArgumentException.class, () -> pool.enqueue(ready(3)));
    }

    @Test
    void moreCompletionsThanDispatchesIsAnError() {
        WorkerPool pool = new WorkerPool(1, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.done(0));
        assertTrue(e.getMessage().contains("worker 0"));
    }

    private long now = 1_000_000_000L; // the short-task tests' clock

    private WorkerPool shortTaskPool(int queueDepth, int shortTaskDepth) {
        return new WorkerPool(1, queueDepth, shortTaskDepth, () -> now);
    }

    @Test
    void aWorkerTurningShortTasksOverMayHoldTheShortTaskDepth() {
        WorkerPool pool = shortTaskPool(2, 6);
        for (int i = 0; i < 10; i++) {
            pool.enqueue(ready(1));
        }
        pump(pool);
        assertEquals(2, dispatched.size(), "no task finished yet: queue depth");
        pool.done(0, now - 1_000, now); // a 1 µs task, just now
        now += 1_000;
        pump(pool);
        assertEquals(7, dispatched.size(), "fast now: up to the short-task depth");
        assertEquals(6, pool.inflight(0));
    }

    @Test
    void aLongOrStaleTaskKeepsTheQueueDepth() {
        WorkerPool pool = shortTaskPool(2, 6);
        for (int i = 0; i < 10; i++) {
            pool.enqueue(ready(1));
        }
        pump(pool);
        pool.done(0, now - WorkerPool.SHORT_TASK_NANOS, now); // not short
        pump(pool);
        assertEquals(3, dispatched.size(), "a long task: the queue depth bounds the worker");
        pool.done(0, now - 1_000, now); // short, but long ago by the next pump: it may be in a long one now
        now += WorkerPool.SHORT_TASK_NANOS;
        pump(pool);
        assertEquals(4, dispatched.size());
        assertEquals(2, pool.inflight(0));
        pool.done(0); // unknown duration (or skipped)
        pump(pool);
        assertEquals(2, pool.inflight(0));
    }

    @Test
    void theShortTaskDepthAppliesToEarlyDispatchesToo() {
        WorkerPool pool = shortTaskPool(1, 3);
        pool.enqueue(ready(1));
        pump(pool);
        pool.done(0, now - 1_000, now);
        for (int i = 0; i < 4; i++) {
            pool.offerAffine(ready(1), 0); // the pool does not look at the state: it asks the sink
        }
        pool.pump(new WorkerPool.Sink() {
            @Override
            public void dispatch(SlotState s, int member, int worker) {
                dispatched.add(new int[] {s.slot(), member, worker});
            }

            @Override
            public int affineWorker(SlotState s) {
                return 0;
            }
        });
        assertEquals(4, dispatched.size(), "the first, then three early ones up to the short-task depth");
    }

    @Test
    void theShortTaskDepthIsNeverBelowTheQueueDepth() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(1, 4, 3));
    }
}
