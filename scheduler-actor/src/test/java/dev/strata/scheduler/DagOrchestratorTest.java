package dev.strata.scheduler;

import static dev.strata.protocol.TensorArgType.INOUT;
import static dev.strata.protocol.TensorArgType.INPUT;
import static dev.strata.protocol.TensorArgType.NO_DEP;
import static dev.strata.protocol.TensorArgType.OUTPUT;
import static dev.strata.protocol.TensorArgType.OUTPUT_EXISTING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.graph.TaskState;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.ring.HeapRing;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DagOrchestratorTest {
    private static final ContinuousTensor A = ContinuousTensor.of(0x1000, DataType.FLOAT32, 16);
    private static final ContinuousTensor B = ContinuousTensor.of(0x2000, DataType.FLOAT32, 16);

    private final GraphHarness h = new GraphHarness();

    private int sub(TaskArgs args) {
        return h.orch.submitSub(0, args).taskSlot();
    }

    @Test
    void independentTaskIsReadyAtOnce() {
        int s = sub(new TaskArgs().addTensor(A, OUTPUT));
        assertTrue(h.isReady(s));
        assertEquals(TaskState.READY, h.graph.state(s));
    }

    @Test
    void dependentTaskStaysPendingUntilItsProducerCompletes() {
        int producer = sub(new TaskArgs().addTensor(A, OUTPUT));
        int consumer = sub(new TaskArgs().addTensor(A, INPUT));
        assertEquals(TaskState.PENDING, h.graph.state(consumer));
        assertEquals(1, h.graph.slot(consumer).fanin());
        h.run(producer);
        assertTrue(h.isReady(consumer));
    }

    @Test
    void noDepSkipsTracking() {
        sub(new TaskArgs().addTensor(A, OUTPUT));
        int reader = sub(new TaskArgs().addTensor(A, NO_DEP));
        assertTrue(h.isReady(reader), "NO_DEP never waits");
        int writer = sub(new TaskArgs().addTensor(B, NO_DEP));
        int next = sub(new TaskArgs().addTensor(B, INPUT));
        assertTrue(h.isReady(next), "NO_DEP never becomes a producer (slot " + writer + ")");
    }

    @Test
    void outputAndOutputExistingInsertWithoutWaiting() {
        int first = sub(new TaskArgs().addTensor(A, OUTPUT));
        int overwrite = sub(new TaskArgs().addTensor(A, OUTPUT_EXISTING));
        assertTrue(h.isReady(overwrite), "a pure overwrite does not wait for the earlier writer");
        int reader = sub(new TaskArgs().addTensor(A, INPUT));
        h.run(first);
        assertFalse(h.isReady(reader), "the reader waits for the latest writer only");
        h.run(overwrite);
        assertTrue(h.isReady(reader));
    }

    @Test
    void inoutWiresTheCreatorAsFanin() {
        int creator = sub(new TaskArgs().addTensor(A, OUTPUT));
        int update = sub(new TaskArgs().addTensor(A, INOUT));
        int update2 = sub(new TaskArgs().addTensor(A, INOUT));
        assertEquals(1, h.graph.slot(update).fanin());
        assertEquals(1, h.graph.slot(update2).fanin(), "write after write: waits for the previous INOUT");
        h.run(creator);
        assertTrue(h.isReady(update));
        assertFalse(h.isReady(update2));
    }

    @Test
    void producerIsCountedOncePerConsumer() {
        int p = sub(new TaskArgs().addTensor(A, OUTPUT).addTensor(B, OUTPUT));
        int c = sub(new TaskArgs().addTensor(A, INPUT).addTensor(B, INPUT).addTensor(A, INOUT));
        assertEquals(1, h.graph.slot(c).fanin());
        assertEquals(2, h.graph.slot(p).refs(), "scope + one consumer");
    }

    @Test
    void outputWithDataZeroAutoAllocatesFromTheHeap() {
        TaskArgs args = new TaskArgs()
                .addTensor(ContinuousTensor.of(0, DataType.FLOAT32, 100), OUTPUT)
                .addTensor(ContinuousTensor.of(0, DataType.INT8, 3), OUTPUT);
        int s = sub(args);
        long a0 = args.tensor(0).data();
        long a1 = args.tensor(1).data();
        assertEquals(GraphHarness.HEAP_BASE, a0);
        assertEquals(0, (a1 - GraphHarness.HEAP_BASE) % HeapRing.ALIGNMENT);
        assertTrue(a1 >= a0 + 400, "tensors of one task do not overlap");
        int reader = sub(new TaskArgs().addTensor(args.tensor(1), INPUT));
        assertEquals(1, h.graph.slot(reader).fanin(), "the allocated address is tracked like any other");
        assertNotEquals(s, reader);
    }

    @Test
    void allocMakesACompletedSlotKeptAliveByItsWriters() {
        ContinuousTensor t = h.orch.alloc(DataType.FLOAT32, 8, 8);
        int allocSlot = h.lastAlloc;
        assertEquals(TaskState.COMPLETED, h.graph.state(allocSlot));
        int writer = sub(new TaskArgs().addTensor(t, INOUT));
        assertTrue(h.isReady(writer), "an alloc slot is complete: its writer need not wait");
        assertEquals(2, h.graph.slot(allocSlot).refs());
        h.orch.finish();
        assertEquals(TaskState.COMPLETED, h.graph.state(allocSlot), "the writer still holds the buffer");
        h.run(writer);
        assertEquals(TaskState.CONSUMED, h.graph.state(allocSlot));
    }

    @Test
    void groupStoresOneArgsPerMemberAndNeverDependsOnItself() {
        List<TaskArgs> members = List.of(new TaskArgs().addTensor(A, INOUT).addScalar(0),
                new TaskArgs().addTensor(A, INOUT).addScalar(1));
        int g = h.orch.submitSubGroup(0, members).taskSlot();
        assertTrue(h.isReady(g));
        assertEquals(2, h.graph.slot(g).groupSize());
        assertEquals(1, h.graph.slot(g).args(1).scalar(0));
        int after = sub(new TaskArgs().addTensor(A, INPUT));
        assertEquals(1, h.graph.slot(after).fanin());
    }

    @Test
    void consumedSlotCleansItsTensorMapEntries() {
        h.orch.scopeBegin();
        int p = sub(new TaskArgs().addTensor(A, OUTPUT));
        h.orch.scopeEnd();
        assertEquals(1, h.orch.trackedTensors());
        h.run(p);
        assertEquals(TaskState.CONSUMED, h.graph.state(p));
        assertEquals(1, h.orch.sweepConsumed());
        assertEquals(0, h.orch.trackedTensors());
        int reader = sub(new TaskArgs().addTensor(A, INPUT));
        assertTrue(h.isReady(reader), "no producer left to wait for");
    }

    @Test
    void consumerSubmittedAfterItsProducerCompletedDoesNotWaitButHoldsIt() {
        int p = sub(new TaskArgs().addTensor(A, OUTPUT));
        h.run(p);
        int c = sub(new TaskArgs().addTensor(A, INPUT));
        assertTrue(h.isReady(c));
        assertEquals(2, h.graph.slot(p).refs());
        h.orch.finish();
        assertEquals(TaskState.COMPLETED, h.graph.state(p), "the reader keeps the producer's buffer alive");
        h.run(c);
        assertEquals(TaskState.CONSUMED, h.graph.state(p));
    }

    @Test
    void everySlotIsConsumedAfterTheRunsScopeEnds() {
        int p = sub(new TaskArgs().addTensor(A, OUTPUT));
        int c = sub(new TaskArgs().addTensor(A, INPUT));
        h.run(p);
        h.run(c);
        assertEquals(2, h.graph.liveSlots());
        h.orch.finish();
        assertEquals(0, h.graph.liveSlots());
        assertEquals(0, h.ring.liveSlots());
    }

    /**
     * A join reading 200,000 tensors of 200,000 producers (each named twice): de-duplication must be O(1) per
     * tensor. The list scan it replaced costs ~6 * 10^10 comparisons here (well over a minute); the timeout
     * leaves a huge margin over the linear cost (about a second on a loaded machine).
     */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aWideJoinIsWiredInLinearTime() {
        int n = 200_000;
        TaskArgs join = new TaskArgs();
        for (int i = 0; i < n; i++) {
            ContinuousTensor t = ContinuousTensor.of(0x10_0000 + 64L * i, DataType.FLOAT32, 16);
            sub(new TaskArgs().addTensor(t, OUTPUT));
            join.addTensor(t, INPUT);
        }
        for (int i = 0; i < n; i++) {
            join.addTensor(ContinuousTensor.of(0x10_0000 + 64L * i, DataType.FLOAT32, 16), INPUT);
        }
        int j = sub(join);
        assertEquals(n, h.graph.slot(j).fanin(), "each producer once, however many tensors name it");
    }

    @Test
    void unknownCallableIsRejectedNamingTheId() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.orch.submitSub(9));
        assertTrue(e.getMessage().contains("9"), e.getMessage());
        IllegalArgumentException chip = assertThrows(IllegalArgumentException.class,
                () -> h.orch.submitNextLevel(5, new TaskArgs(), CallConfig.DEFAULT));
        assertTrue(chip.getMessage().contains("chip callable id 5"), chip.getMessage());
        assertEquals(0, h.ring.liveSlots(), "a rejected submit takes no slot");
    }

    @Test
    void groupWiderThanThePoolIsRejected() {
        List<TaskArgs> five = List.of(new TaskArgs(), new TaskArgs(), new TaskArgs(), new TaskArgs(),
                new TaskArgs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> h.orch.submitSubGroup(0, five));
        assertTrue(e.getMessage().contains("group of 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> h.orch.submitSubGroup(0, List.of()));
    }

    @Test
    void tensorWithDataZeroIsNeitherWaitedOnNorTracked() {
        ContinuousTensor none = ContinuousTensor.of(0, DataType.INT32, 4);
        sub(new TaskArgs().addTensor(none, OUTPUT_EXISTING));
        int reader = sub(new TaskArgs().addTensor(none, INPUT).addTensor(none, INOUT));
        assertTrue(h.isReady(reader), "data 0 is 'no tensor', as in the seed");
        assertEquals(0, h.orch.trackedTensors());
    }

    @Test
    void readerOfAFailedConsumedProducerIsSkippedEvenAfterASweep() {
        h.orch.scopeBegin();
        int p = sub(new TaskArgs().addTensor(A, OUTPUT));
        h.orch.scopeEnd();
        h.run(p, dev.strata.protocol.TaskError.of(new IllegalStateException("boom")));
        assertEquals(TaskState.CONSUMED, h.graph.state(p));
        assertEquals(0, h.orch.sweepConsumed(), "a failed slot's entry outlives its consumption");
        int reader = sub(new TaskArgs().addTensor(A, INPUT));
        assertFalse(h.isReady(reader), "reading a failed task's output must not run");
        assertEquals(1, h.graph.skippedTasks());
    }

    @Test
    void scopeEndWithoutBeginIsRejected() {
        IllegalStateException e = assertThrows(IllegalStateException.class, h.orch::scopeEnd);
        assertTrue(e.getMessage().contains("scopeEnd without scopeBegin"), e.getMessage());
    }

    @Test
    void submitAfterTheRunEndedIsRejected() {
        h.orch.finish();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> h.orch.submitSub(0));
        assertTrue(e.getMessage().contains("outside Worker.run"), e.getMessage());
    }

    @Test
    void submitFromAnotherThreadIsRejected() throws Exception {
        CompletableFuture<Throwable> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                h.orch.submitSub(0);
                f.complete(null);
            } catch (Throwable e) {
                f.complete(e);
            }
        });
        t.start();
        Throwable e = f.get(5, TimeUnit.SECONDS);
        assertTrue(e instanceof IllegalStateException && e.getMessage().contains("single-threaded"), "" + e);
    }

    @Test
    void heapFullTimesOutWithClearError() {
        GraphHarness small = new GraphHarness(1, 1, 4096);
        small.orch.alloc(DataType.UINT8, 4096);
        HeapExhaustedException e = assertThrows(HeapExhaustedException.class,
                () -> small.orch.alloc(DataType.UINT8, 1024));
        assertTrue(e.getMessage().contains("heap-ring-size"), e.getMessage());
    }

    @Test
    void theRingsExhaustionReachesTheUserAsHeapExhaustedWithTheSameMessage() {
        GraphHarness small = new GraphHarness(1, 1, 4096);
        HeapExhaustedException e = assertThrows(HeapExhaustedException.class,
                () -> small.orch.alloc(DataType.UINT8, 4097));
        assertEquals("allocation of 4097 bytes exceeds the whole heap ring (strata.worker.heap-ring-size = 4096);"
                + " raise strata.worker.heap-ring-size", e.getMessage());
        assertEquals(0, small.ring.liveSlots(), "a refused alloc takes no slot");
    }
}
