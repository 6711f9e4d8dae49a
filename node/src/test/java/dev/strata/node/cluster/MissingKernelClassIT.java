package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.node.cholesky.CholeskyKernel;
import dev.strata.node.cholesky.SpdMatrix;
import dev.strata.node.cholesky.TileMatrix;
import dev.strata.node.cholesky.TileOp;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker node started from the packaged jar alone cannot make a kernel class that only the head has (here: a
 * class of this test): the task fails naming the class and the node, its dependents are skipped, the run drains,
 * and the same {@code Worker} then runs a kernel the node has (POTRF, shipped in the jar).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MissingKernelClassIT {
    private static final Path SHIPPED_NODE_FILE = Path.of(System.getProperty("user.dir"))
            .resolve("../config/cluster/worker-1.conf").normalize();
    private static final Path LOGS = Path.of("target", "missing-kernel-class-it");
    private static final String HEAD_HOST = "127.0.0.1";
    private static final String NODE_HOST = "127.0.0.2";
    /** One tile of 32 x 32: POTRF alone factorises it. */
    private static final int ORDER = 32;

    private NodeJvm node;
    private Worker head;

    /** On the test class path only, never in strata-node.jar; it must not run anywhere in this test. */
    public static final class TestClassPathOnlyKernel implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            ctx.memory().floats(ctx.args().tensor(0)).put(0, Float.NaN);
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        try {
            if (head != null) {
                head.close();
            }
        } finally {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void aKernelClassMissingOnTheNodeFailsItsTaskNamingClassAndNodeAndTheWorkerRunsOnWithoutIt() throws Exception {
        int headPort = LoopbackCluster.freePort(HEAD_HOST);
        int nodePort = LoopbackCluster.freePort(NODE_HOST);
        String seed = "pekko://strata@" + HEAD_HOST + ":" + headPort;
        String nodeAddress = "pekko://strata@" + NODE_HOST + ":" + nodePort;
        head = Worker.fromConfig(ConfigFactory.parseString(
                "pekko.remote.artery.canonical { hostname = \"" + HEAD_HOST + "\", port = " + headPort + " }\n"
                        + "pekko.cluster.seed-nodes = [\"" + seed + "\"]\n"
                        + "strata.cluster { enabled = true, min-worker-nodes = 1, join-timeout = 180 s,"
                        + " task-timeout = 60 s }\n"
                        + "strata.worker { chip-workers = 1, sub-workers = 1, arena-size = 16 MiB,"
                        + " heap-ring-size = 16 MiB }\n"));
        long missing = head.registerChipCallable("test-only", new TestClassPathOnlyKernel());
        long potrf = head.registerChipCallable(CholeskyKernel.POTRF.kernelName(), CholeskyKernel.POTRF.newKernel());
        CompletableFuture<Void> init = CompletableFuture.runAsync(head::init);
        node = NodeJvm.fromJar("worker-1", LOGS, SHIPPED_NODE_FILE, List.of("-Xmx256m",
                "-Dpekko.remote.artery.canonical.hostname=" + NODE_HOST,
                "-Dpekko.remote.artery.canonical.port=" + nodePort,
                "-Dpekko.cluster.seed-nodes.0=" + seed,
                "-Dpekko.cluster.seed-node-timeout=1s",
                "-Dpekko.cluster.retry-unsuccessful-join-after=1s",
                "-Dstrata.worker.arena-size=16MiB"));
        node.awaitUp(NodeJvm.START_BOUND);
        try {
            init.get(NodeJvm.START_BOUND.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("head init failed: " + e + node.tail(), e);
        }

        double[] a = SpdMatrix.random(ORDER, 7);
        TileMatrix m = TileMatrix.allocate(head.memory(), ORDER, ORDER);
        m.load(a);
        float[] loaded = head.memory().readFloats(m.tile(0, 0));
        // The missing kernel writes the tile, POTRF depends on it: POTRF must be skipped, the run must drain.
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> head.run(Task.of((orch, args, cfg) -> {
            orch.submitNextLevel(missing, new TaskArgs().addTensor(m.tile(0, 0), TensorArgType.INOUT),
                    CallConfig.DEFAULT);
            orch.submitNextLevel(potrf, TileOp.potrf(0).args(m), CallConfig.DEFAULT);
        })), node.tail());
        String message = e.getMessage();
        assertTrue(message.contains(TestClassPathOnlyKernel.class.getName()), "names the class: " + message);
        assertTrue(message.contains(nodeAddress), "names the node " + nodeAddress + ": " + message);
        assertTrue(message.contains("1 dependent task(s) skipped"), message);
        assertEquals(1, head.lastRun().failedTasks(), head.lastRun().toString());
        assertEquals(1, head.lastRun().skippedTasks(), head.lastRun().toString());
        assertArrayEquals(loaded, head.memory().readFloats(m.tile(0, 0)), "nothing ran on the tile");

        head.run(Task.of((orch, args, cfg) -> orch.submitNextLevel(potrf, TileOp.potrf(0).args(m),
                CallConfig.DEFAULT)));
        double residual = SpdMatrix.relativeResidual(a, m.lowerTriangle(), ORDER);
        assertTrue(residual <= 1e-4, "POTRF on the node factorised the tile: residual " + residual);
        assertEquals(Map.of(NODE_HOST + ":" + nodePort, 1L), head.lastRun().tasksByNode());
        assertTrue(node.process().isAlive(), "the node still serves" + node.tail());
    }
}
