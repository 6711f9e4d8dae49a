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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A level-4 head over two level-3 engines on two nodes in this JVM: one node's actor system stops abruptly while
 * its engine runs a level-4 task; the task runs again on the engine that moved to the survivor, the run completes
 * with the right results, and the dead node's level-3 run is never applied.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class Level4NodeLossClusterTest {
    private Worker head;
    private WorkerNode survivor;
    private CrashableNode victim;

    /** {@link ChipEntitiesClusterTest.ScaleAdd}, first held as {@link NodeLossClusterTest.HeldFill} is. */
    public static final class HeldScaleAdd implements ChipKernel {
        @Override
        public void run(TaskContext ctx) throws InterruptedException {
            NodeLossClusterTest.HeldFill.holdWhileHeld();
            new ChipEntitiesClusterTest.ScaleAdd().run(ctx);
        }
    }

    @AfterEach
    void stop() {
        NodeLossClusterTest.HeldFill.held = false;
        NodeLossClusterTest.HeldFill.release.countDown();
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
    void aNodeLostDuringALevel4TaskHasItRunAgainOnTheOtherEngine() throws Exception {
        int headPort = LoopbackCluster.freePort();
        head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort, List.of(headPort))
                + NodeLossClusterTest.FAST_FAILOVER
                + "strata.cluster { enabled = true, min-worker-nodes = 2, join-timeout = 90 s, task-timeout = 120 s,"
                + " max-task-retries = 2, no-worker-timeout = 120 s }\n"
                + "strata.worker { level = 4, chip-workers = 2, sub-workers = 1, arena-size = 16 MiB,"
                + " heap-ring-size = 4 MiB }\n"));
        long scale = head.registerChipCallable("held-scale-add", new HeldScaleAdd());
        long rows = head.registerOrchFn("each-row", new Level4ClusterTest.EachRow());
        CompletableFuture<Void> init = CompletableFuture.runAsync(head::init);
        victim = new CrashableNode(headPort, NodeLossClusterTest.FAST_FAILOVER + Level4ClusterTest.NODE);
        survivor = WorkerNode.start(LoopbackCluster.config(LoopbackCluster.member(0, List.of(headPort)),
                NodeLossClusterTest.FAST_FAILOVER + Level4ClusterTest.NODE));
        init.get(120, TimeUnit.SECONDS);

        ContinuousTensor a = matrix(1);
        ContinuousTensor b = matrix(50);
        // Each engine's 2 chips start a held row each: 4 held chip tasks, 2 per node.
        NodeLossClusterTest.HeldFill.entered = new CountDownLatch(4);
        NodeLossClusterTest.HeldFill.release = new CountDownLatch(1);
        NodeLossClusterTest.HeldFill.held = true;
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> head.run(Task.of((orch, args, cfg) -> {
            orch.submitNextLevel(rows, rowsOf(a, scale, 1), CallConfig.DEFAULT);
            orch.submitNextLevel(rows, rowsOf(b, scale, 2), CallConfig.DEFAULT);
        })));
        assertTrue(NodeLossClusterTest.HeldFill.entered.await(120, TimeUnit.SECONDS),
                "both engines run held level-3 tasks");
        assertTrue(victim.tasksRun() > 0, "the victim's engine runs one of the level-4 tasks");

        victim.crash();
        NodeLossClusterTest.HeldFill.held = false;
        NodeLossClusterTest.HeldFill.release.countDown();
        run.get(180, TimeUnit.SECONDS);

        assertArrayEquals(Level4ClusterTest.expectedOnce(1, 1), head.memory().readFloats(a), "a: exactly one round");
        assertArrayEquals(Level4ClusterTest.expectedOnce(50, 2), head.memory().readFloats(b), "b: exactly one round");
        String survivorHostPort = survivor.address().substring(survivor.address().lastIndexOf('@') + 1);
        assertEquals(Map.of(survivorHostPort, 2L), head.lastRun().tasksByNode(),
                "both level-4 tasks completed on the survivor: the lost one again");
        assertTrue(head.lastRun().retries() >= 1, "the lost level-4 task was dispatched again: "
                + head.lastRun().nodes());
    }

    private ContinuousTensor matrix(float base) {
        ContinuousTensor m = head.memory().allocate(DataType.FLOAT32, Level4ClusterTest.ROWS, Level4ClusterTest.COLS);
        float[] v = new float[Level4ClusterTest.ROWS * Level4ClusterTest.COLS];
        for (int i = 0; i < v.length; i++) {
            v[i] = base + i;
        }
        head.memory().write(m, v);
        return m;
    }

    private static TaskArgs rowsOf(ContinuousTensor m, long kernel, long scalar) {
        return new TaskArgs().addTensor(m, TensorArgType.INOUT).addScalar(kernel).addScalar(scalar);
    }
}
