package dev.strata.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster inside the test JVM: worker nodes on free ports of 127.0.0.1 ({@link InJvmNode}s, each its own actor
 * system) that join a head on a port chosen here; the head is the engine a test builds with {@link #headConfig()}.
 * Nodes start at once and keep retrying their join every second until the head's {@code init()} brings it up.
 */
public final class InJvmCluster implements AutoCloseable {
    /** Tensor memory of each node: room for a test's tiles, small enough for many nodes on one machine. */
    static final String NODE_SETTINGS = "strata.worker.arena-size = 16 MiB\n";

    private final int headPort;
    private final List<InJvmNode> nodes;

    private InJvmCluster(int headPort, List<InJvmNode> nodes) {
        this.headPort = headPort;
        this.nodes = Collections.unmodifiableList(nodes);
    }

    /**
     * Starts {@code workerNodes} nodes that join a head on a free port; returns at once. A node that fails to start
     * closes those already started.
     */
    public static InJvmCluster start(int workerNodes) {
        if (workerNodes < 1) {
            throw new IllegalArgumentException("an in-JVM cluster needs at least one worker node, got " + workerNodes);
        }
        int headPort = LoopbackMembers.freePort();
        List<InJvmNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < workerNodes; i++) {
                nodes.add(InJvmNode.start(headPort, LoopbackMembers.FAST_FAILOVER + NODE_SETTINGS));
            }
        } catch (RuntimeException e) {
            nodes.forEach(InJvmNode::close);
            throw e;
        }
        return new InJvmCluster(headPort, nodes);
    }

    /**
     * What the head's builder gets ({@code Worker.Builder.config}): a member on the head port, its own seed, with
     * the shortened failure detection; cluster mode on, waiting for every node at {@code init()} (90 s at most), a
     * lost task retried twice, each attempt bounded by 2 minutes.
     */
    public Config headConfig() {
        return ConfigFactory.parseString(LoopbackMembers.member(headPort, List.of(headPort))
                + LoopbackMembers.FAST_FAILOVER
                + "strata.cluster { enabled = true, min-worker-nodes = " + nodes.size() + ", join-timeout = 90 s,"
                + " task-timeout = 120 s, max-task-retries = 2, no-worker-timeout = 120 s }\n");
    }

    /** The head's address, {@code pekko://strata@127.0.0.1:port}. */
    public String headAddress() {
        return LoopbackMembers.address(headPort);
    }

    /** The worker nodes, in start order. */
    public List<InJvmNode> nodes() {
        return nodes;
    }

    /** Worker node {@code i} (from 0). */
    public InJvmNode node(int i) {
        if (i < 0 || i >= nodes.size()) {
            throw new IndexOutOfBoundsException("node " + i + " of a cluster of " + nodes.size() + " worker nodes");
        }
        return nodes.get(i);
    }

    /** Crashes node {@code i} on another thread; the future completes once its actor system has stopped. */
    CompletableFuture<Void> crashAsync(int i) {
        InJvmNode node = node(i);
        return CompletableFuture.runAsync(node::crash, r -> {
            Thread t = new Thread(r, "strata-testkit-crash-node-" + i);
            t.setDaemon(true);
            t.start();
        });
    }

    /** Stops every node (crashed ones are stopped already). */
    @Override
    public void close() {
        nodes.forEach(InJvmNode::close);
    }
}
