package dev.strata.testkit;

import com.typesafe.config.Config;
import dev.strata.workernode.WorkerNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A worker node in this JVM: a real {@link WorkerNode} (same roles, chip and engine entities, kernels), started with
 * coordinated shutdown off for {@code terminate()}, so that it can {@link #crash()}: its actor system stops without
 * leaving the cluster, and the other members see what they see of a killed JVM.
 */
public final class InJvmNode implements AutoCloseable {
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final WorkerNode node;
    private final AtomicBoolean crashed = new AtomicBoolean();

    private InJvmNode(WorkerNode node) {
        this.node = node;
    }

    /**
     * Starts a node on a free port of 127.0.0.1 that joins the member on {@code seedPort} (retrying every second
     * until it is there), with {@code extra} HOCON (failure detector, arena size, {@code strata.worker.mode}...)
     * over the defaults; returns at once, before it has joined.
     */
    public static InJvmNode start(int seedPort, String extra) {
        Config config = LoopbackMembers.config(LoopbackMembers.member(0, List.of(seedPort)), extra
                + "\npekko.coordinated-shutdown.terminate-actor-system = off\n"
                + "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n");
        return new InJvmNode(WorkerNode.start(config));
    }

    /** This node's address, {@code pekko://strata@127.0.0.1:port} with the port actually bound. */
    public String address() {
        return node.address();
    }

    /** {@code 127.0.0.1:port}: how a head's run summary and trace name this node. */
    public String hostPort() {
        String a = address();
        return a.substring(a.lastIndexOf('@') + 1);
    }

    /** Chip tasks this node started, failed ones included. */
    public long tasksRun() {
        return node.tasksRun();
    }

    /** Whether the node's actor system has stopped (crashed or closed): nothing of it answers any more. */
    public boolean stopped() {
        return node.whenTerminated().toCompletableFuture().isDone();
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
        node.crash(STOP_WAIT);
    }

    /** Stops the node (abruptly too: after a test nobody needs it to leave gracefully). */
    @Override
    public void close() {
        node.crash(STOP_WAIT);
    }

    @Override
    public String toString() {
        return "InJvmNode[" + address() + (crashed() ? " crashed" : "") + "]";
    }
}
