package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.workernode.WorkerNode;
import dev.strata.protocol.TaskArgs;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A head {@code Worker} with cluster mode on and worker nodes started as the {@code node} command starts them,
 * all in this JVM on 127.0.0.1: init() returns once enough worker nodes are up, fails after the join timeout
 * naming what it saw and tried, and a local DAG runs on a cluster-enabled head.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterDeploymentTest {
    private static final Duration BOUND = Duration.ofSeconds(60);
    private final List<WorkerNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodesOneAfterAnother() {
        for (WorkerNode n : nodes) {
            n.close();
        }
    }

    private WorkerNode node(int port, int seed) {
        WorkerNode n = WorkerNode.start(LoopbackCluster.config(LoopbackCluster.member(port, List.of(seed)), ""));
        nodes.add(n);
        return n;
    }

    private static Worker head(int port, String cluster) {
        return Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(port, List.of(port))
                + "strata.cluster.enabled = true\nstrata.worker.sub-workers = 2\n" + cluster));
    }

    @Test
    void initReturnsOnceBothWorkerNodesAreUpAndALocalDagRuns() throws Exception {
        int headPort = LoopbackCluster.freePort();
        try (Worker head = head(headPort, "strata.cluster.min-worker-nodes = 2\nstrata.cluster.join-timeout = 60 s")) {
            AtomicLong sum = new AtomicLong();
            int add = head.register(ctx -> sum.addAndGet(ctx.args().scalar(0)));
            CompletableFuture<Void> init = CompletableFuture.runAsync(head::init);
            WorkerNode first = node(0, headPort);
            WorkerNode second = node(0, headPort);
            init.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            // init() returned: the head saw both; each node sees itself up too.
            first.whenUp().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);
            second.whenUp().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertTrue(first.address().startsWith("pekko://strata@127.0.0.1:"), first.address());

            head.run(Task.of((orch, args, cfg) -> {
                for (int i = 1; i <= 10; i++) {
                    orch.submitSub(add, new TaskArgs().addScalar(i));
                }
            }));
            assertEquals(55, sum.get());
            assertEquals(10, head.lastRun().completedTasks());
        }
    }

    @Test
    void initFailsAfterTheJoinTimeoutNamingTheCountTheSeedsAndWorker() throws Exception {
        // The one worker node is its own seed and up before the head starts, so the head sees exactly one.
        int nodePort = LoopbackCluster.freePort();
        WorkerNode only = node(nodePort, nodePort);
        only.whenUp().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);
        int headPort = LoopbackCluster.freePort();
        Worker head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort, List.of(nodePort))
                + "strata.cluster { enabled = true, min-worker-nodes = 2, join-timeout = 6 s }"));
        try (head) {
            IllegalStateException e = assertThrows(IllegalStateException.class, head::init);
            String m = e.getMessage();
            assertTrue(m.contains("1 of 2 worker node(s)"), m);
            assertTrue(m.contains(only.address()), "names the node it saw: " + m);
            assertTrue(m.contains("seed nodes tried: " + LoopbackCluster.address(nodePort)), m);
            assertTrue(m.contains("strata.cluster.min-worker-nodes = 2"), m);
            IllegalStateException after = assertThrows(IllegalStateException.class, () -> head.run(Task.of(
                    (orch, args, cfg) -> { })));
            assertTrue(after.getMessage().contains("init()"), "a failed init leaves the worker not started: "
                    + after.getMessage());
        }
    }
}
