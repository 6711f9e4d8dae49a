package dev.strata.scheduler;

import static dev.strata.protocol.TensorArgType.INPUT;
import static dev.strata.protocol.TensorArgType.OUTPUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.dispatch.SchedulerActor;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.ring.HeapRing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed walks a node's tensors in order, each lookup and insert in turn ({@code infer_deps}): a tensor
 * read after the same node already wrote it finds the node itself, which is skipped, so the node does not
 * wait for the buffer's previous writer. Found by {@link RandomDagStressTest} (failing variant, seed
 * 0x683b2fc2aa86371c: node 27 {@code [OUTPUT a, INPUT b, INPUT a]} was skipped because node 13, the previous
 * writer of a, threw). Strata's orchestrator looks up all of a node's tensors before inserting any, which
 * adds that dependency. These pin the seed's rule down.
 */
@Timeout(30)
class SeedTagWalkTest {
    private static final long X = 0x10_0000L;
    private final List<SchedulerActor.Submit> submits = new ArrayList<>();
    private final DagOrchestrator orch = new DagOrchestrator(new Catalog(1, List.of(), 4, 0),
            new HeapRing(0x40_0000_0000L, 1 << 20), Duration.ofMillis(200), c -> {
                if (c instanceof SchedulerActor.Submit s) {
                    submits.add(s);
                }
            });

    private static ContinuousTensor x() {
        return ContinuousTensor.of(X, DataType.FLOAT32, 4);
    }

    private int[] producersOf(int slot) {
        return submits.stream().filter(s -> s.slot() == slot).findFirst().orElseThrow().producers();
    }

    @Test
    void readBeforeWriteInOneTaskWaitsForThePreviousWriter() {
        int w = orch.submitSub(0, new TaskArgs().addTensor(x(), OUTPUT)).taskSlot();
        int t = orch.submitSub(0, new TaskArgs().addTensor(x(), INPUT).addTensor(x(), OUTPUT)).taskSlot();
        assertArrayEquals(new int[] {w}, producersOf(t));
    }

    @Test
    void taskThatWritesThenReadsABufferDoesNotWaitForItsPreviousWriter() {
        orch.submitSub(0, new TaskArgs().addTensor(x(), OUTPUT));
        int t = orch.submitSub(0, new TaskArgs().addTensor(x(), OUTPUT).addTensor(x(), INPUT)).taskSlot();
        assertArrayEquals(new int[0], producersOf(t),
                "seed: the INPUT finds the task's own OUTPUT (a self-loop, skipped), not the previous writer");
    }

    @Test
    void groupMemberReadingWhatAnEarlierMemberWroteDoesNotWaitForThePreviousWriter() {
        orch.submitSub(0, new TaskArgs().addTensor(x(), OUTPUT));
        int g = orch.submitSubGroup(0, List.of(new TaskArgs().addTensor(x(), OUTPUT),
                new TaskArgs().addTensor(x(), INPUT))).taskSlot();
        assertArrayEquals(new int[0], producersOf(g),
                "seed: member 1's INPUT finds the group itself (member 0 wrote it), not the previous writer");
    }

    @Test
    void taskThatWritesThenReadsRunsEvenIfThePreviousWriterFailed() {
        AtomicInteger ran = new AtomicInteger();
        try (Worker w = Worker.builder().numSubWorkers(2).heapRingSize(1 << 20).build()) {
            int boom = w.register(ctx -> {
                throw new IllegalStateException("previous writer fails");
            });
            int count = w.register(ctx -> ran.incrementAndGet());
            w.init();
            ContinuousTensor a = w.memory().allocate(DataType.FLOAT32, 4);
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> w.run(Task.of((o, args, cfg) -> {
                o.submitSub(boom, new TaskArgs().addTensor(a, OUTPUT));
                o.submitSub(count, new TaskArgs().addTensor(a, OUTPUT).addTensor(a, INPUT));
            })));
            assertEquals("sub#" + boom, e.callableName());
            assertEquals(1, ran.get(), "the second task does not depend on the failed one in the seed's tag walk: "
                    + e.getMessage());
        }
    }
}
