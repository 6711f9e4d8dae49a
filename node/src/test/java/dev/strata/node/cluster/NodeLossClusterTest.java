package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/**
 * A head and two worker nodes in this JVM, every message serialized, failure detection shortened: one node's actor
 * system stops abruptly while its chips run tasks; the run still completes with the right result, the lost tasks
 * having run again on the survivor, and the next run uses the survivor for every chip.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class NodeLossClusterTest {
    private static final int CHIPS = 4;
    /**
     * Failure detection as Pekko's own multi-node tests shorten it (TOOLCHAIN, cluster facts), the heartbeat pause
     * kept at Strata's 2 s so a loaded machine does not get a live member downed.
     */
    static final String FAST_FAILOVER = "pekko.cluster.failure-detector.heartbeat-interval = 500 ms\n"
            + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2 s\n"
            + "pekko.cluster.split-brain-resolver.stable-after = 2 s\n"
            + "pekko.cluster.gossip-interval = 200 ms\n"
            + "pekko.cluster.leader-actions-interval = 200 ms\n"
            + "pekko.cluster.unreachable-nodes-reaper-interval = 500 ms\n"
            + "pekko.cluster.sharding.retry-interval = 200 ms\n";

    private Worker head;
    private WorkerNode survivor;
    private CrashableNode victim;

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
    void stop() {
        HeldFill.held = false;
        HeldFill.release.countDown();
        if (head != null) {
            head.close();
        }
        if (survivor != null) {
            survivor.close();
        }
        if (victim != null) {
            victim.close();
        }
    }

    @Test
    void aNodeLostMidRunHasItsTasksRunAgainOnTheSurvivorAndLaterRunsUseIt() throws Exception {
        int headPort = LoopbackCluster.freePort();
        head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort, List.of(headPort))
                + FAST_FAILOVER
                + "strata.cluster { enabled = true, min-worker-nodes = 2, join-timeout = 90 s, task-timeout = 120 s,"
                + " max-task-retries = 2, no-worker-timeout = 120 s }\n"
                + "strata.worker { chip-workers = " + CHIPS + ", sub-workers = 1, arena-size = 16 MiB,"
                + " heap-ring-size = 16 MiB }\n"
                + "strata.trace { enabled = true, file = \"\" }\n"));
        long fill = head.registerChipCallable("held-fill", new HeldFill());
        long scaleAdd = head.registerChipCallable("scale-add", new ChipEntitiesClusterTest.ScaleAdd());
        CompletableFuture<Void> init = CompletableFuture.runAsync(head::init);
        victim = new CrashableNode(headPort, FAST_FAILOVER + "strata.worker.arena-size = 16 MiB\n");
        survivor = WorkerNode.start(LoopbackCluster.config(LoopbackCluster.member(0, List.of(headPort)),
                FAST_FAILOVER + "strata.worker.arena-size = 16 MiB\n"));
        init.get(120, TimeUnit.SECONDS);

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

        victim.crash();
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
        String survivorHostPort = hostPort(survivor.address());
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
        assertTrue(head.lastRun().nodes().get(hostPort(survivor.address())).bytesFromNode() > 0, "bytes counted");

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

    private static String hostPort(String address) {
        return address.substring(address.lastIndexOf('@') + 1);
    }
}
