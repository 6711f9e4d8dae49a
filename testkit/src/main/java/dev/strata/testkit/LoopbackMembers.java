package dev.strata.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Settings of cluster members that live in one test JVM on 127.0.0.1: free ports chosen at run time, every message
 * serialized as if it crossed the network, joins retried every second, failure detection shortened so a crashed
 * member is downed within seconds.
 */
public final class LoopbackMembers {
    /** The loopback address every member binds. */
    public static final String HOST = "127.0.0.1";

    /**
     * Failure detection as Pekko's own multi-node tests shorten it, the heartbeat pause kept at Strata's 2 s so a
     * loaded machine does not get a live member downed: a crashed member is removed some 5 s after it stopped.
     */
    public static final String FAST_FAILOVER = "pekko.cluster.failure-detector.heartbeat-interval = 500 ms\n"
            + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2 s\n"
            + "pekko.cluster.split-brain-resolver.stable-after = 2 s\n"
            + "pekko.cluster.gossip-interval = 200 ms\n"
            + "pekko.cluster.leader-actions-interval = 200 ms\n"
            + "pekko.cluster.unreachable-nodes-reaper-interval = 500 ms\n"
            + "pekko.cluster.sharding.retry-interval = 200 ms\n";

    private LoopbackMembers() {
    }

    /** A TCP port free at this moment on 127.0.0.1 (Artery binds TCP). */
    public static int freePort() {
        return freePort(HOST);
    }

    /** A TCP port free at this moment on {@code host}, e.g. 127.0.0.2 standing for a second machine. */
    public static int freePort(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The address of the member on {@code port}: {@code pekko://strata@127.0.0.1:<port>}. */
    public static String address(int port) {
        return "pekko://strata@" + HOST + ":" + port;
    }

    /**
     * HOCON of a member on {@code port} (0: any) with {@code seeds}: messages serialized as if they crossed the
     * network, and joins retried every second instead of every 5-10 s, so a node started before its seed joins
     * soon after the seed is there.
     */
    public static String member(int port, List<Integer> seeds) {
        return "pekko.remote.artery.canonical.hostname = \"" + HOST + "\"\n"
                + "pekko.remote.artery.canonical.port = " + port + "\n"
                + "pekko.actor.serialize-messages = on\n"
                + "pekko.cluster.seed-node-timeout = 1 s\n"
                + "pekko.cluster.retry-unsuccessful-join-after = 1 s\n"
                + "pekko.cluster.seed-nodes = [" + seeds.stream().map(p -> "\"" + address(p) + "\"")
                .collect(Collectors.joining(", ")) + "]\n";
    }

    /** {@link #member} over {@code extra}, over the defaults: what the node command builds from a file. */
    public static Config config(String member, String extra) {
        return ConfigFactory.parseString(member).withFallback(ConfigFactory.parseString(extra))
                .withFallback(ConfigFactory.load()).resolve();
    }
}
