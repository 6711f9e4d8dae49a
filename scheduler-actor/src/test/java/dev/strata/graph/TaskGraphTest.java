package dev.strata.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.worker.WorkerKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TaskGraphTest implements TaskGraph.Events {
    private final List<Integer> ready = new ArrayList<>();
    private final List<Integer> consumed = new ArrayList<>();
    /** What the heap ring would remember: consumed slots that failed or were skipped. */
    private final java.util.Set<Integer> releasedFailed = new java.util.HashSet<>();
    private final TaskGraph g = new TaskGraph(this, releasedFailed::contains);
    private static final TaskError BOOM = TaskError.of(new IllegalStateException("boom"));

    @Override
    public void ready(SlotState s) {
        ready.add(s.slot());
    }

    @Override
    public void consumed(int slot, boolean failed) {
        consumed.add(slot);
        if (failed) {
            releasedFailed.add(slot);
        }
    }

    private void submit(int slot, int... producers) {
        submitGroup(slot, 1, producers);
    }

    private void submitGroup(int slot, int width, int... producers) {
        g.submit(slot, WorkerKind.SUB, 0, Collections.nCopies(width, TaskArgsSnapshot.EMPTY), CallConfig.DEFAULT,
                producers);
    }

    private void finish(int slot, TaskError error) {
        g.dispatched(g.slot(slot), g.slot(slot).groupSize() == 1 ? 0 : -1);
        for (int m = 0; m < g.slot(slot).groupSize(); m++) {
            g.memberDone(slot, m, "w", error, false);
        }
    }

    @Test
    void chainRunsInOrderAndIsConsumedAfterScopeEnd() {
        submit(0);
        submit(1, 0);
        submit(2, 1);
        assertEquals(List.of(0), ready);
        finish(0, null);
        finish(1, null);
        assertEquals(List.of(0, 1, 2), ready);
        finish(2, null);
        assertEquals(List.of(), consumed, "the scope still holds every slot");
        g.scopeEnd(new int[] {0, 1, 2});
        assertEquals(List.of(0, 1, 2), consumed);
        assertEquals(0, g.liveSlots());
    }

    @Test
    void groupCompletesOnlyWhenAllMembersAreDone() {
        submitGroup(0, 3);
        submit(1, 0);
        g.dispatched(g.slot(0), -1);
        g.memberDone(0, 0, "w", null, false);
        g.memberDone(0, 2, "w", null, false);
        assertEquals(TaskState.RUNNING, g.state(0));
        assertFalse(ready.contains(1));
        g.memberDone(0, 1, "w", null, false);
        assertEquals(TaskState.COMPLETED, g.state(0));
        assertTrue(ready.contains(1));
    }

    @Test
    void failureSkipsDependentsButNotIndependents() {
        submit(0);
        submit(1, 0);
        submit(2, 1);
        submit(3);
        finish(0, BOOM);
        assertEquals(List.of(0, 3), ready, "dependents of a failed task never become ready");
        assertEquals(TaskState.COMPLETED, g.state(2));
        assertEquals(2, g.skippedTasks());
        assertEquals(1, g.failures().size());
        assertEquals(0, g.failures().get(0).slot());
    }

    @Test
    void taskSubmittedAfterAFailedProducerCompletedIsSkipped() {
        submit(0);
        finish(0, BOOM);
        submit(1, 0);
        assertEquals(List.of(0), ready);
        assertTrue(g.slot(1).failedOrSkipped());
    }

    @Test
    void taskReadingAConsumedFailedProducerIsSkipped() {
        submit(0);
        finish(0, BOOM);
        g.scopeEnd(new int[] {0});
        assertEquals(List.of(0), consumed);
        submit(1, 0);
        assertEquals(List.of(0), ready);
        assertEquals(1, g.skippedTasks());
    }

    @Test
    void skippingALongChainDoesNotOverflowTheStack() {
        submit(0);
        for (int i = 1; i < 100_000; i++) {
            submit(i, i - 1);
        }
        finish(0, BOOM);
        assertEquals(99_999, g.skippedTasks());
    }

    @Test
    void consumedProducerIsIgnored() {
        submit(0);
        finish(0, null);
        g.scopeEnd(new int[] {0});
        submit(1, 0);
        assertEquals(List.of(0, 1), ready);
    }

    @Test
    void completionOfAnUnknownSlotIsAnError() {
        assertThrows(IllegalStateException.class, () -> g.memberDone(5, 0, "w", null, false));
    }

    @Test
    void resetRequiresEverySlotConsumed() {
        submit(0);
        assertThrows(IllegalStateException.class, g::reset);
        finish(0, null);
        g.scopeEnd(new int[] {0});
        g.reset();
        assertEquals(0, g.completedTasks());
    }

    @Test
    void onlyOneConsumerOfAProducerIsQueuedBehindIt() {
        List<Integer> affine = new ArrayList<>();
        TaskGraph graph = new TaskGraph(new TaskGraph.Events() {
            @Override
            public void ready(SlotState s) {
            }

            @Override
            public void consumed(int slot, boolean failed) {
            }

            @Override
            public void affine(SlotState s, int worker) {
                affine.add(s.slot());
            }
        }, slot -> false);
        graph.submit(0, WorkerKind.SUB, 0, List.of(TaskArgsSnapshot.EMPTY), CallConfig.DEFAULT, new int[0]);
        graph.dispatched(graph.slot(0), 1);
        for (int c = 1; c <= 3; c++) { // a fan-out: three readers of slot 0
            graph.submit(c, WorkerKind.SUB, 0, List.of(TaskArgsSnapshot.EMPTY), CallConfig.DEFAULT, new int[] {0});
        }
        assertEquals(List.of(1, 2, 3), affine, "each may follow slot 0 on worker 1 ...");
        graph.dispatched(graph.slot(1), 1);
        assertEquals(-1, graph.affineWorker(graph.slot(2)), "... but once one does, the others wait to spread");
        assertEquals(-1, graph.affineWorker(graph.slot(3)));
        graph.submit(4, WorkerKind.SUB, 0, List.of(TaskArgsSnapshot.EMPTY), CallConfig.DEFAULT, new int[] {1});
        assertEquals(1, graph.affineWorker(graph.slot(4)), "the chain goes on behind slot 1");
    }
}
