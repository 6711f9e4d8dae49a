package dev.strata.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
