package dev.strata.workernode;

import com.typesafe.config.Config;
import dev.strata.cluster.ChipEntities;
import dev.strata.cluster.EngineEntities;
import dev.strata.cluster.MemberConfig;
import dev.strata.cluster.NodeChip;
import dev.strata.cluster.NodeKernels;
import dev.strata.cluster.ProcessKernels;
import dev.strata.cluster.TensorTransfer;
import dev.strata.cluster.ThreadKernels;
import dev.strata.config.ChipMode;
import dev.strata.config.ClusterSettings;
import dev.strata.config.InvalidSettingException;
import dev.strata.config.WorkerSettings;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.process.RoundTripStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker node: an actor system named {@code strata} that joins the cluster named by
 * {@code pekko.cluster.seed-nodes} with role {@code worker} and serves until it {@link #leave() leaves}. It hosts
 * the head's chip entities ({@link ChipEntities}) that the shard allocation gives it, with a tensor memory of its
 * own (its {@code strata.worker.arena-size}) and kernels on its dedicated dispatcher, and a level-4 head's engine
 * entities ({@link EngineEntities}), each a level-3 engine configured by the node's own {@code strata.worker}
 * section ({@link EngineKernels}); it logs one INFO line when it is up. A node whose seed nodes cannot be reached keeps trying, and Pekko logs each failed attempt at WARN.
 *
 * <p>With {@code strata.worker.mode = PROCESS} in the node's own settings each chip entity runs its kernels in a
 * child JVM of the node ({@link ProcessKernels}), started at the entity's first task; the children map the node's
 * memory file, so it stays linked until the node stops, and they are stopped when their entity stops or the node
 * does (and leave by themselves if the node's JVM dies).
 */
public final class WorkerNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerNode.class);
    /** What a node hosts in this version, for its up line. */
    static final String HOSTS = "chip entities and level-3 engine entities";

    /** The shutdown reason of a node asked to stop (SIGTERM, close()). */
    private enum Asked implements CoordinatedShutdown.Reason { LEAVE }

    private final ActorSystem<Void> system;
    private final SharedTensorMemory memory;
    private final AtomicLong tasksRun = new AtomicLong();
    // PROCESS mode: the entities' child-JVM kernels, stopped with the node even if an entity's stop was missed.
    private final Set<ProcessKernels> children = ConcurrentHashMap.newKeySet();
    private final RoundTripStats roundTrips = new RoundTripStats();
    private final CompletableFuture<String> up = new CompletableFuture<>();
    private volatile boolean leaving;

    private WorkerNode(ActorSystem<Void> system, SharedTensorMemory memory) {
        this.system = system;
        this.memory = memory;
    }

    /**
     * Checks the node's settings and starts it; returns at once, before it has joined. {@code config} must be
     * resolved and hold every default ({@code ConfigFactory.load()} beneath the node's file).
     *
     * @throws InvalidSettingException naming the key of a bad setting (no seed node, a bad address, a typo under
     *                                 {@code strata}, a TLS store that is missing or does not open)
     */
    public static WorkerNode start(Config config) {
        WorkerSettings settings = WorkerSettings.fromConfig(config);
        ClusterSettings clusterSettings = ClusterSettings.fromConfig(config);
        MemberConfig.checkTransport(config);
        if (MemberConfig.seedNodes(config).isEmpty()) {
            throw new InvalidSettingException(MemberConfig.SEED_NODES, "[]", "a worker node needs at least one seed"
                    + " node to join, e.g. [\"pekko://" + MemberConfig.SYSTEM_NAME + "@127.0.0.1:25520\"] (the head)");
        }
        // The node's own tensor memory: shipped tensors are copied in for a task and freed after. No heap ring runs
        // here, so the heap region is the smallest there is. In THREAD mode nobody else maps it, so its name goes at
        // once; in PROCESS mode children attach to it by name whenever one (re)starts, so it goes when the node stops.
        boolean childrenAttach = settings.mode() == ChipMode.PROCESS;
        Path dir = settings.memoryDir().isEmpty() ? null : Path.of(settings.memoryDir());
        SharedTensorMemory memory = SharedTensorMemory.create(dir, settings.arenaSize(), SharedTensorMemory.MIN_REGION);
        if (!childrenAttach) {
            memory.unlink();
        }
        ActorSystem<Void> system;
        try {
            system = ActorSystem.create(Behaviors.empty(), MemberConfig.SYSTEM_NAME,
                    MemberConfig.of(MemberConfig.WORKER_ROLE, config));
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
        WorkerNode node = new WorkerNode(system, memory);
        String self = system.address().toString();
        Executor kernels = system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.dispatcher()));
        // A transfer waits at most the node's own task-timeout for a dispatch's bytes.
        TensorTransfer transfer = new TensorTransfer(system, clusterSettings.taskTimeout());
        ChipEntities.host(system, i -> new NodeChip(i, self, node.chipKernels(i, self, settings), node.tasksRun,
                transfer), kernels);
        // Level 4: each engine entity is a level-3 engine of this node, started at its first task.
        EngineEntities.host(system, i -> new NodeChip(i, self, new EngineKernels(i, self, config), node.tasksRun,
                transfer), kernels);
        if (childrenAttach) {
            // Before the system terminates, whatever stopped it (leave, downing, terminate): children first, then the
            // file they mapped. Its pages stay while this JVM maps them; a task still running keeps working.
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                    "strata-node-chip-processes", () -> {
                        node.stopChildren();
                        return CompletableFuture.completedFuture(Done.getInstance());
                    });
        }
        Cluster cluster = Cluster.get(Adapter.toClassic(system));
        cluster.registerOnMemberUp(() -> {
            String address = cluster.selfAddress().toString();
            LOG.info("strata worker node {} is up (role {}); it hosts {}{}", address, MemberConfig.WORKER_ROLE,
                    HOSTS, childrenAttach ? " (PROCESS mode: a child JVM per chip)" : "");
            node.up.complete(address);
        });
        system.getWhenTerminated().thenRun(() -> {
            node.up.completeExceptionally(new IllegalStateException("the worker node stopped before it was up"));
            // Kernels still running may touch it: unmapping could crash the JVM, so the GC unmaps it.
            LOG.info("strata worker node {} ran {} task(s)", self, node.tasksRun.get());
        });
        return node;
    }

    /** How chip {@code chipIndex} runs its kernels here: a child JVM in PROCESS mode, else this JVM. */
    private NodeKernels chipKernels(int chipIndex, String self, WorkerSettings settings) {
        if (settings.mode() != ChipMode.PROCESS) {
            return new ThreadKernels(chipIndex, self, memory, settings.chipThreads());
        }
        ProcessKernels k = new ProcessKernels(chipIndex, self, memory, settings.chipThreads(), settings.process(),
                roundTrips);
        children.add(k);
        return k;
    }

    /** Stops every chip's child JVM (idempotent), then deletes the memory file they mapped. */
    private void stopChildren() {
        children.forEach(ProcessKernels::close);
        children.clear();
        memory.unlink();
    }

    /** This node's address, {@code pekko://strata@host:port} with the port actually bound. */
    public String address() {
        return system.address().toString();
    }

    /** Completes with the node's address once it is an Up member with role worker. */
    public CompletionStage<String> whenUp() {
        return up;
    }

    /** Completes when the node's actor system has stopped, whoever stopped it. */
    public CompletionStage<Done> whenTerminated() {
        return system.getWhenTerminated();
    }

    /** How many chip tasks this node has run (started), failed ones included. */
    public long tasksRun() {
        return tasksRun.get();
    }

    /** Whether {@link #leave()} was called: the node stopped because it was asked to, not by the cluster. */
    public boolean leaving() {
        return leaving;
    }

    /**
     * Leaves the cluster gracefully (the others see it leave, not crash) and stops the actor system; returns at
     * once, {@link #whenTerminated()} tells when it is done. Idempotent.
     */
    public CompletionStage<Done> leave() {
        leaving = true;
        return CoordinatedShutdown.get(system).runAll(Asked.LEAVE);
    }

    /** Leaves and waits up to {@code timeout} for the actor system to stop; returns whether it did. */
    public boolean leave(Duration timeout) {
        leave();
        try {
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        }
    }

    /**
     * Stops the actor system at once without leaving the cluster, as a killed JVM stops (for in-JVM tests of node
     * loss), and returns once it has stopped, within {@code timeout}. A crash only when the node's config has
     * {@code pekko.coordinated-shutdown.run-by-actor-system-terminate = off}: otherwise termination runs the
     * coordinated shutdown, which leaves gracefully. In PROCESS mode the chips' child JVMs are stopped and the memory
     * file deleted afterwards, as a dead node's children leave by themselves and a test must not leave the file.
     *
     * @throws IllegalStateException if it did not stop within {@code timeout}
     */
    public void crash(Duration timeout) {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("worker node " + address() + " did not stop within " + timeout, e);
        } finally {
            stopChildren(); // idempotent; what the skipped coordinated-shutdown task would have done
        }
    }

    /** Leaves the cluster, waiting up to 10 s. */
    @Override
    public void close() {
        leave(Duration.ofSeconds(10));
    }
}
