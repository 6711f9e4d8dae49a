package dev.strata.testkit;

import com.typesafe.config.Config;
import dev.strata.cluster.ChipEntities;
import dev.strata.cluster.EngineEntities;
import dev.strata.cluster.MemberConfig;
import dev.strata.cluster.NodeChip;
import dev.strata.cluster.TensorTransfer;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.workernode.EngineKernels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A worker node in this JVM, assembled as {@code WorkerNode} assembles one (same roles, same chip and engine
 * entities, THREAD-mode kernels), but whose actor system the kit holds, so that it can {@link #crash()}: with
 * coordinated shutdown off for {@code terminate()}, the system stops without leaving the cluster, and the other
 * members see what they see of a killed JVM. ({@code WorkerNode} itself can only leave gracefully.)
 */
public final class InJvmNode implements AutoCloseable {
    /** Prefix of the threads that run this node's kernels: the kit's leak check knows them as Strata's. */
    static final String KERNEL_THREAD = "strata-testkit-node-kernel";
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final ActorSystem<Void> system;
    private final SharedTensorMemory memory;
    private final ExecutorService kernels = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, KERNEL_THREAD);
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong tasksRun = new AtomicLong();
    private final AtomicBoolean crashed = new AtomicBoolean();

    private InJvmNode(Config config, long arenaBytes) {
        // THREAD mode: nobody else maps this memory, so its name goes at once (as WorkerNode does).
        memory = SharedTensorMemory.create(null, arenaBytes, SharedTensorMemory.MIN_REGION);
        memory.unlink();
        try {
            system = ActorSystem.create(Behaviors.empty(), MemberConfig.SYSTEM_NAME,
                    MemberConfig.of(MemberConfig.WORKER_ROLE, config));
        } catch (RuntimeException e) {
            memory.close();
            kernels.shutdownNow();
            throw e;
        }
        String self = system.address().toString();
        TensorTransfer transfer = new TensorTransfer(system, Duration.ofSeconds(30));
        ChipEntities.host(system, i -> new NodeChip(i, self, memory, 1, tasksRun, transfer), kernels);
        EngineEntities.host(system, i -> new NodeChip(i, self, new EngineKernels(i, self, config), tasksRun,
                transfer), kernels);
    }

    /**
     * Starts a node on a free port of 127.0.0.1 that joins the member on {@code seedPort} (retrying every second
     * until it is there), with {@code extra} HOCON (failure detector, arena size...) over the defaults; returns at
     * once, before it has joined.
     */
    public static InJvmNode start(int seedPort, String extra) {
        Config config = LoopbackMembers.config(LoopbackMembers.member(0, List.of(seedPort)), extra
                + "\npekko.coordinated-shutdown.terminate-actor-system = off\n"
                + "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n");
        return new InJvmNode(config, config.getBytes("strata.worker.arena-size"));
    }

    /** This node's address, {@code pekko://strata@127.0.0.1:port} with the port actually bound. */
    public String address() {
        return system.address().toString();
    }

    /** {@code 127.0.0.1:port}: how a head's run summary and trace name this node. */
    public String hostPort() {
        String a = address();
        return a.substring(a.lastIndexOf('@') + 1);
    }

    /** Chip tasks this node started, failed ones included. */
    public long tasksRun() {
        return tasksRun.get();
    }

    /** Whether {@link #crash()} was called. */
    public boolean crashed() {
        return crashed.get();
    }

    /**
     * Stops the actor system at once, without leaving the cluster, as a killed JVM stops; returns once it has
     * stopped (within 60 s). The head notices through its failure detector and runs the node's tasks elsewhere.
     */
    public void crash() {
        crashed.set(true);
        system.terminate();
        awaitStopped();
    }

    /** Stops the node (abruptly too: after a test nobody needs it to leave gracefully) and its kernel threads. */
    @Override
    public void close() {
        system.terminate();
        kernels.shutdownNow();
        awaitStopped();
        try {
            kernels.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitStopped() {
        try {
            system.getWhenTerminated().toCompletableFuture().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("node " + address() + " did not stop within " + STOP_WAIT, e);
        }
    }

    @Override
    public String toString() {
        return "InJvmNode[" + address() + (crashed() ? " crashed" : "") + "]";
    }
}
