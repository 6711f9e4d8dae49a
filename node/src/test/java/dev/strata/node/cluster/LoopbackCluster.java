package dev.strata.node.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.workernode.WorkerNode;
import dev.strata.scheduler.Worker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Settings of test cluster members on 127.0.0.1: free ports chosen at run time, messages serialized. */
final class LoopbackCluster {
    static final String HOST = "127.0.0.1";

    private LoopbackCluster() {
    }

    /** A TCP port free at this moment on 127.0.0.1 (Artery binds TCP). */
    static int freePort() {
        return freePort(HOST);
    }

    /** A TCP port free at this moment on {@code host}, e.g. 127.0.0.2 standing for a second machine. */
    static int freePort(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String address(int port) {
        return "pekko://strata@" + HOST + ":" + port;
    }

    /**
     * HOCON of a member on {@code port} (0: any) with {@code seeds}: messages serialized as if they crossed the
     * network, and joins retried every second instead of every 5-10 s, so a node started before its seed joins
     * soon after the seed is there.
     */
    static String member(int port, List<Integer> seeds) {
        return "pekko.remote.artery.canonical.hostname = \"" + HOST + "\"\n"
                + "pekko.remote.artery.canonical.port = " + port + "\n"
                + "pekko.actor.serialize-messages = on\n"
                + "pekko.cluster.seed-node-timeout = 1 s\n"
                + "pekko.cluster.retry-unsuccessful-join-after = 1 s\n"
                + "pekko.cluster.seed-nodes = [" + seeds.stream().map(p -> "\"" + address(p) + "\"")
                .collect(Collectors.joining(", ")) + "]\n";
    }

    /** {@link #member} over {@code extra}, over the defaults: what the node command builds from a file. */
    static Config config(String member, String extra) {
        return ConfigFactory.parseString(member).withFallback(ConfigFactory.parseString(extra))
                .withFallback(ConfigFactory.load()).resolve();
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
