package dev.strata.node.cluster;

import com.typesafe.config.Config;
import dev.strata.workernode.WorkerNode;
import dev.strata.scheduler.Worker;
import dev.strata.testkit.LoopbackMembers;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Settings of test cluster members on 127.0.0.1: free ports chosen at run time, messages serialized. The settings are
 * the test kit's ({@link LoopbackMembers}); this class keeps the names the cluster tests use.
 */
final class LoopbackCluster {
    static final String HOST = LoopbackMembers.HOST;

    private LoopbackCluster() {
    }

    /** A TCP port free at this moment on 127.0.0.1 (Artery binds TCP). */
    static int freePort() {
        return LoopbackMembers.freePort();
    }

    /** A TCP port free at this moment on {@code host}, e.g. 127.0.0.2 standing for a second machine. */
    static int freePort(String host) {
        return LoopbackMembers.freePort(host);
    }

    static String address(int port) {
        return LoopbackMembers.address(port);
    }

    /** {@link LoopbackMembers#member}: a member on {@code port} (0: any) with {@code seeds}. */
    static String member(int port, List<Integer> seeds) {
        return LoopbackMembers.member(port, seeds);
    }

    /** {@link #member} over {@code extra}, over the defaults: what the node command builds from a file. */
    static Config config(String member, String extra) {
        return LoopbackMembers.config(member, extra);
    }

    /**
     * Inits {@code head} (a member on {@code headPort}, its own seed) while {@code count} worker nodes with
     * {@code nodeConfig} start and join it; each node goes into {@code nodes} as it starts, so the caller closes
     * them even when the join fails. Returns once {@code init()} has, within 90 s.
     */
    static void joinNodes(Worker head, int headPort, int count, String nodeConfig, List<WorkerNode> nodes)
            throws Exception {
        CompletableFuture<Void> init = CompletableFuture.runAsync(head::init);
        for (int i = 0; i < count; i++) {
            nodes.add(WorkerNode.start(config(member(0, List.of(headPort)), nodeConfig)));
        }
        init.get(90, TimeUnit.SECONDS);
    }
}
