package dev.strata.scheduler;

import dev.strata.dispatch.SchedulerActor;
import dev.strata.graph.IntList;
import dev.strata.graph.SlotState;
import dev.strata.graph.TaskGraph;
import dev.strata.protocol.TaskError;
import dev.strata.ring.HeapRing;
import dev.strata.ring.ReleaseBatch;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/**
 * An orchestrator wired straight to a task graph and a heap ring, with no actors: what the scheduler
 * would do, done synchronously, so orchestrator and graph scenarios run deterministically.
 */
final class GraphHarness implements TaskGraph.Events {
    static final long HEAP_BASE = 0x40_0000_0000L;

    final HeapRing ring;
    final TaskGraph graph;
    final ArrayDeque<SlotState> ready = new ArrayDeque<>();
    final IntList consumed = new IntList();
    final DagOrchestrator orch;
    /** The slot of the last {@code alloc}. */
    int lastAlloc = -1;

    GraphHarness(int subCallables, int subWorkers, long heapBytes) {
        ring = new HeapRing(HEAP_BASE, heapBytes);
        graph = new TaskGraph(this, ring::releasedFailed);
        orch = new DagOrchestrator(new Catalog(subCallables, List.of("k0", "k1"), subWorkers, 2), ring,
                Duration.ofMillis(200), this::deliver);
    }

    GraphHarness() {
        this(4, 4, 1 << 20);
    }

    private void deliver(SchedulerActor.Command c) {
        if (c instanceof SchedulerActor.Submit s) {
            graph.submit(s.slot(), s.kind(), s.callable(), s.args(), s.config(), s.producers());
        } else if (c instanceof SchedulerActor.AllocSlot a) {
            graph.alloc(a.slot());
            lastAlloc = a.slot();
        } else if (c instanceof SchedulerActor.ScopeEnd e) {
            graph.scopeEnd(e.slots());
        } else {
            throw new AssertionError("unexpected " + c);
        }
    }

    @Override
    public void ready(SlotState s) {
        ready.add(s);
    }

    @Override
    public void consumed(int slot, boolean failed) {
        consumed.add(slot);
        ReleaseBatch one = new ReleaseBatch(); // released at once, as the scheduler does at the end of a message
        one.add(slot, failed);
        ring.release(one);
    }

    /** Dispatches and completes every member of ready slot {@code slot}, failing with {@code error} if given. */
    void run(int slot, TaskError error) {
        SlotState s = ready.stream().filter(r -> r.slot() == slot).findFirst()
                .orElseThrow(() -> new AssertionError("slot " + slot + " is not ready; ready: " + ready));
        ready.remove(s);
        graph.dispatched(s, s.groupSize() == 1 ? 0 : -1);
        for (int m = 0; m < s.groupSize(); m++) {
            graph.memberDone(slot, m, "test worker", error, false);
        }
    }

    void run(int slot) {
        run(slot, null);
    }

    boolean isReady(int slot) {
        return ready.stream().anyMatch(r -> r.slot() == slot);
    }
}
