package dev.strata.cluster;

import com.typesafe.config.Config;
import dev.strata.config.ClusterSettings;
import dev.strata.config.InvalidSettingException;
import dev.strata.config.WorkerSettings;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker node: an actor system named {@code strata} that joins the cluster named by
 * {@code pekko.cluster.seed-nodes} with role {@code worker} and serves until it {@link #leave() leaves}. It hosts
 * nothing yet (chip entities come with cluster sharding); it logs one INFO line when it is up. A node whose seed
 * nodes cannot be reached keeps trying, and Pekko logs each failed attempt at WARN.
 */
public final class WorkerNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerNode.class);
    /** What a node hosts in this version, for its up line. */
    static final String HOSTS = "no chip entities yet";

    /** The shutdown reason of a node asked to stop (SIGTERM, close()). */
    private enum Asked implements CoordinatedShutdown.Reason { LEAVE }

    private final ActorSystem<Void> system;
    private final CompletableFuture<String> up = new CompletableFuture<>();
    private volatile boolean leaving;

    private WorkerNode(ActorSystem<Void> system) {
        this.system = system;
    }

    /**
     * Checks the node's settings and starts it; returns at once, before it has joined. {@code config} must be
     * resolved and hold every default ({@code ConfigFactory.load()} beneath the node's file).
     *
     * @throws InvalidSettingException naming the key of a bad setting (no seed node, a bad address, a typo under
     *                                 {@code strata})
     */
    public static WorkerNode start(Config config) {
        WorkerSettings.fromConfig(config); // a node's own strata.worker section: checked now, used by later versions
        ClusterSettings.fromConfig(config);
        if (MemberConfig.seedNodes(config).isEmpty()) {
            throw new InvalidSettingException(MemberConfig.SEED_NODES, "[]", "a worker node needs at least one seed"
                    + " node to join, e.g. [\"pekko://" + MemberConfig.SYSTEM_NAME + "@127.0.0.1:25520\"] (the head)");
        }
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), MemberConfig.SYSTEM_NAME,
                MemberConfig.of(MemberConfig.WORKER_ROLE, config));
        WorkerNode node = new WorkerNode(system);
        Cluster cluster = Cluster.get(Adapter.toClassic(system));
        cluster.registerOnMemberUp(() -> {
            String address = cluster.selfAddress().toString();
            LOG.info("strata worker node {} is up (role {}); it hosts {}", address, MemberConfig.WORKER_ROLE,
                    HOSTS);
            node.up.complete(address);
        });
        system.getWhenTerminated().thenRun(() -> node.up.completeExceptionally(new IllegalStateException(
                "the worker node stopped before it was up")));
        return node;
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

    /** Leaves the cluster, waiting up to 10 s. */
    @Override
    public void close() {
        leave(Duration.ofSeconds(10));
    }
}
