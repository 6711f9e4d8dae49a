package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import dev.strata.testkit.InJvmNode;
import dev.strata.testkit.LoopbackMembers;
import dev.strata.testkit.StrataExtension;
import dev.strata.trace.TraceMark;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A head and two worker nodes in this JVM (the test kit's cluster variant), every message serialized, failure
 * detection shortened: one node's actor system stops abruptly while its chips run tasks; the run still completes
 * with the right result, the lost tasks having run again on the survivor, and the next run uses the survivor for
 * every chip.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class NodeLossClusterTest {
    private static final int CHIPS = 4;
    /** The test kit's shortened failure detection ({@link LoopbackMembers#FAST_FAILOVER}). */
    static final String FAST_FAILOVER = LoopbackMembers.FAST_FAILOVER;

    /** The head and two crashable worker nodes, closed after the test, which fails if anything is left behind. */
    @RegisterExtension
    final StrataExtension strata = StrataExtension.cluster(2);

    /** Fills FLOAT32 tensor 0 with scalar 0; while {@link #held} is set, first waits for {@link #release}. */
    public static final class HeldFill implements ChipKernel {
        static volatile boolean held;
        static volatile CountDownLatch entered = new CountDownLatch(0);
        static volatile CountDownLatch release = new CountDownLatch(0);

        @Override
        public void run(TaskContext ctx) throws InterruptedException {
            holdWhileHeld();
            FloatBuffer t = ctx.memory().floats(ctx.args().tensor(0));
            for (int i = 0; i < t.limit(); i++) {
                t.put(i, ctx.args().scalar(0));
            }
        }

        /** While {@link #held} is set: counts {@link #entered} down, then waits (bounded) for {@link #release}. */
        static void holdWhileHeld() throws InterruptedException {
            if (held) {
                entered.countDown();
                if (!release.await(3, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("never released");
                }
            }
        }
    }

    @AfterEach
    void release() {
        HeldFill.held = false;
        HeldFill.release.countDown();
    }

    @Test
    void aNodeLostMidRunHasItsTasksRunAgainOnTheSurvivorAndLaterRunsUseIt() throws Exception {
        Worker head = strata.build(strata.builder().numChipWorkers(CHIPS).numSubWorkers(1));
        long fill = head.registerChipCallable("held-fill", new HeldFill());
        long scaleAdd = head.registerChipCallable("scale-add", new ChipEntitiesClusterTest.ScaleAdd());
        head.init(); // returns once both nodes have joined
        InJvmNode victim = strata.cluster().node(1);
        InJvmNode survivor = strata.cluster().node(0);

        // One held task per chip (4 chips on 2 nodes: 2 + 2), each followed by a dependent on the same tensor.
        List<ContinuousTensor> outs = new ArrayList<>();
        for (int i = 0; i < CHIPS; i++) {
            outs.add(head.memory().allocate(DataType.FLOAT32, 8));
        }
        HeldFill.entered = new CountDownLatch(CHIPS);
        HeldFill.release = new CountDownLatch(1);
        HeldFill.held = true;
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> head.run(Task.of((orch, a, c) -> {
            for (int i = 0; i < CHIPS; i++) {
                orch.submitNextLevel(fill, new TaskArgs().addTensor(outs.get(i), TensorArgType.OUTPUT_EXISTING)
                        .addScalar(i + 1), CallConfig.DEFAULT);
            }
            for (int i = 0; i < CHIPS; i++) {
                orch.submitNextLevel(scaleAdd, new TaskArgs().addTensor(outs.get(i), TensorArgType.INOUT)
                        .addScalar(0), CallConfig.DEFAULT);
            }
        })));
        assertTrue(HeldFill.entered.await(120, TimeUnit.SECONDS), "every chip runs a held task");
        assertTrue(victim.tasksRun() > 0, "chips of the victim run held tasks (2 of 4 with an even spread)");

        strata.faults().crashNode(1);
        // Only now may the held tasks finish: the victim's answers have nowhere to go, the survivor's arrive, and
        // the retries of the victim's tasks, on the survivor, do not wait.
        HeldFill.held = false;
        HeldFill.release.countDown();
        run.get(180, TimeUnit.SECONDS);

        for (int i = 0; i < CHIPS; i++) {
            float[] expected = new float[8];
            for (int j = 0; j < expected.length; j++) {
                expected[j] = (i + 1) * 2 + j;
            }
            assertArrayEquals(expected, head.memory().readFloats(outs.get(i)), "tensor " + i);
        }
        String survivorHostPort = survivor.hostPort();
        assertEquals(Map.of(survivorHostPort, (long) 2 * CHIPS), head.lastRun().tasksByNode(),
                "every task that completed ran on the survivor: the lost ones again, the dependents after them");
        long retries = head.lastRun().retries();
        assertTrue(retries >= 2 && retries <= CHIPS, "at least the victim's 2 tasks were dispatched again: "
                + head.lastRun().nodes());
        assertEquals(retries, head.metrics().getRemoteTaskRetries(), "JMX counts them too");
        List<TraceMark> marks = head.lastRunTrace().marks();
        assertEquals(retries, marks.size(), "each retry is on its chip's lane in the trace: " + marks);
        assertTrue(marks.stream().allMatch(m -> m.name().equals("retry") && m.worker().startsWith("chip ")), marks
                .toString());
        assertTrue(head.lastRun().nodes().get(survivorHostPort).bytesFromNode() > 0, "bytes counted");

        // The chips of the lost node now live on the survivor: a later run uses it for all four.
        List<ContinuousTensor> later = new ArrayList<>();
        for (int i = 0; i < CHIPS; i++) {
            later.add(head.memory().allocate(DataType.FLOAT32, 4));
        }
        head.run(Task.of((orch, a, c) -> orch.submitNextLevelGroup(fill, later.stream()
                .map(t -> new TaskArgs().addTensor(t, TensorArgType.OUTPUT_EXISTING).addScalar(7)).toList(),
                CallConfig.DEFAULT)));
        for (ContinuousTensor t : later) {
            assertArrayEquals(new float[] {7, 7, 7, 7}, head.memory().readFloats(t));
        }
        assertEquals(Map.of(survivorHostPort, (long) CHIPS), head.lastRun().tasksByNode(),
                "one member per chip, all on the survivor");
    }
}
