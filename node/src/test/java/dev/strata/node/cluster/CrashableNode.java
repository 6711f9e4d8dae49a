package dev.strata.node.cluster;

import com.typesafe.config.Config;
import dev.strata.cluster.ChipEntities;
import dev.strata.cluster.EngineEntities;
import dev.strata.workernode.EngineKernels;
import dev.strata.cluster.MemberConfig;
import dev.strata.cluster.NodeChip;
import dev.strata.cluster.TensorTransfer;
import dev.strata.memory.SharedTensorMemory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A worker node assembled as {@code WorkerNode} assembles one (same roles, same chip entities), but whose actor
 * system this test holds, so it can {@link #crash()}: with coordinated shutdown off for {@code terminate()}, the
 * system stops without leaving the cluster, and the others see what they see of a killed JVM.
 */
final class CrashableNode implements AutoCloseable {
    private final ActorSystem<Void> system;
    private final SharedTensorMemory memory;
    private final ExecutorService kernels = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "crashable-node-kernel");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong tasksRun = new AtomicLong();

    /** A node of the cluster whose seed is {@code seedPort}, with {@code extra} HOCON (failure detector...). */
    CrashableNode(int seedPort, String extra) {
        Config config = LoopbackCluster.config(LoopbackCluster.member(0, java.util.List.of(seedPort)), extra
                + "\npekko.coordinated-shutdown.terminate-actor-system = off\n"
                + "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n");
        memory = SharedTensorMemory.create(null, 16 << 20, SharedTensorMemory.MIN_REGION);
        memory.unlink();
        system = ActorSystem.create(Behaviors.empty(), MemberConfig.SYSTEM_NAME,
                MemberConfig.of(MemberConfig.WORKER_ROLE, config));
        String self = system.address().toString();
        TensorTransfer transfer = new TensorTransfer(system, java.time.Duration.ofSeconds(30));
        ChipEntities.host(system, i -> new NodeChip(i, self, memory, 1, tasksRun, transfer), kernels);
        EngineEntities.host(system, i -> new NodeChip(i, self, new EngineKernels(i, self, config), tasksRun,
                transfer), kernels);
    }

    String address() {
        return system.address().toString();
    }

    /** Chip tasks this node started. */
    long tasksRun() {
        return tasksRun.get();
    }

    /** Stops the actor system at once, without leaving the cluster; returns once it has stopped. */
    void crash() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        system.terminate();
        kernels.shutdownNow();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            kernels.awaitTermination(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort: the test already has its verdict
        }
    }
}
