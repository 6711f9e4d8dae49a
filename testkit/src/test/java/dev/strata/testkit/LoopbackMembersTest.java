package dev.strata.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Member settings on loopback: serialized messages, seeds, fast joins, what the failure detector is told. */
class LoopbackMembersTest {

    @Test
    void aMemberSerializesEveryMessageAndJoinsItsSeedsOnLoopback() {
        Config c = LoopbackMembers.config(LoopbackMembers.member(25599, List.of(25520, 25521)),
                LoopbackMembers.FAST_FAILOVER);
        assertEquals("127.0.0.1", c.getString("pekko.remote.artery.canonical.hostname"));
        assertEquals(25599, c.getInt("pekko.remote.artery.canonical.port"));
        assertTrue(c.getBoolean("pekko.actor.serialize-messages"));
        assertEquals(List.of("pekko://strata@127.0.0.1:25520", "pekko://strata@127.0.0.1:25521"),
                c.getStringList("pekko.cluster.seed-nodes"));
        assertEquals(Duration.ofSeconds(1), c.getDuration("pekko.cluster.retry-unsuccessful-join-after"));
        assertEquals(Duration.ofSeconds(2), c.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
        assertTrue(c.hasPath("strata.worker.arena-size"), "over the defaults");
    }

    @Test
    void aFreePortIsOneThisMachineCanBind() throws Exception {
        int port = LoopbackMembers.freePort();
        assertTrue(port > 0);
        try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1,
                java.net.InetAddress.getByName(LoopbackMembers.HOST))) {
            assertEquals(port, s.getLocalPort());
        }
    }
}
