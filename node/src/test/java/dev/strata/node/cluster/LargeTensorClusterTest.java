package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.workernode.WorkerNode;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * 64 MiB tensors through remote tasks on a head and two worker nodes in this JVM, every message serialized: far
 * more than one Artery frame, so the bytes are streamed to the node and back; the results are checked byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LargeTensorClusterTest {
    private static final int INTS = 16 * 1024 * 1024; // 64 MiB of INT32
    private final List<WorkerNode> nodes = new ArrayList<>();
    private Worker head;
    private long step;
    private long stepTogether;

    /** INT32 tensor 0 (INOUT): t[i] = t[i] * 3 + i + scalar 0, which shows any element out of place. */
    public static final class Step implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            IntBuffer t = ctx.memory().ints(ctx.args().tensor(0));
            int s = (int) ctx.args().scalar(0);
            for (int i = 0; i < t.limit(); i++) {
                t.put(i, t.get(i) * 3 + i + s);
            }
        }
    }

    /** {@link Step}, once every task of the test's {@link #together} latch has reached its node. */
    public static final class StepTogether implements ChipKernel {
        @Override
        public void run(TaskContext ctx) throws InterruptedException {
            CountDownLatch all = together;
            all.countDown();
            if (!all.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the other task never ran at the same time");
            }
            new Step().run(ctx);
        }
    }

    /** The tasks that must be on their nodes at once (the nodes run in this JVM, so they share it). */
    static volatile CountDownLatch together = new CountDownLatch(0);

    @BeforeAll
    void startHeadAndTwoNodes() throws Exception {
        int headPort = LoopbackCluster.freePort();
        // The head holds two 64 MiB tensors; a node holds the copies of the tasks it runs at once (one per chip).
        head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort, List.of(headPort))
                + "strata.cluster { enabled = true, min-worker-nodes = 2, join-timeout = 60 s, task-timeout = 60 s }\n"
                + "strata.worker { chip-workers = 2, sub-workers = 1, arena-size = 160 MiB,"
                + " heap-ring-size = 16 MiB }\n"));
        step = head.registerChipCallable("step", new Step());
        stepTogether = head.registerChipCallable("step-together", new StepTogether());
        LoopbackCluster.joinNodes(head, headPort, 2, "strata.worker.arena-size = 160 MiB\n", nodes);
    }

    @AfterAll
    void stop() {
        if (head != null) {
            head.close();
        }
        nodes.forEach(WorkerNode::close);
    }

    /** A 64 MiB INT32 tensor on the head filled from {@code seed}. */
    private ContinuousTensor filled(int seed) {
        ContinuousTensor t = head.memory().allocate(DataType.INT32, INTS);
        IntBuffer b = head.memory().ints(t);
        for (int i = 0; i < INTS; i++) {
            b.put(i, seed + i * 31);
        }
        return t;
    }

    /** Checks {@code t} holds {@link Step} of {@link #filled}({@code seed}) with {@code scalar}, then frees it. */
    private void assertStepped(ContinuousTensor t, int seed, int scalar) {
        IntBuffer b = head.memory().ints(t);
        for (int i = 0; i < INTS; i++) {
            int expected = (seed + i * 31) * 3 + i + scalar;
            if (b.get(i) != expected) {
                assertEquals(expected, b.get(i), "element " + i + " of " + INTS);
            }
        }
        head.memory().free(t);
    }

    @Test
    void a64MiBInoutTensorGoesToItsNodeAndComesBackByteForByte() {
        ContinuousTensor t = filled(7);
        head.run(Task.of((orch, args, cfg) -> orch.submitNextLevel(step,
                new TaskArgs().addTensor(t, TensorArgType.INOUT).addScalar(5), CallConfig.DEFAULT)));
        assertEquals(1, head.lastRun().completedTasks());
        assertStepped(t, 7, 5);
    }

    @Test
    void two64MiBTasksInFlightOnTwoChipsAtOnce() {
        together = new CountDownLatch(2);
        ContinuousTensor a = filled(1);
        ContinuousTensor b = filled(2);
        head.run(Task.of((orch, args, cfg) -> {
            orch.submitNextLevel(stepTogether, new TaskArgs().addTensor(a, TensorArgType.INOUT).addScalar(10),
                    CallConfig.DEFAULT);
            orch.submitNextLevel(stepTogether, new TaskArgs().addTensor(b, TensorArgType.INOUT).addScalar(20),
                    CallConfig.DEFAULT);
        }));
        assertEquals(0, together.getCount(), "both tasks were on their nodes at once");
        assertTrue(head.lastRun().tasksByNode().values().stream().mapToLong(Long::longValue).sum() == 2,
                head.lastRun().tasksByNode().toString());
        assertStepped(a, 1, 10);
        assertStepped(b, 2, 20);
    }
}
