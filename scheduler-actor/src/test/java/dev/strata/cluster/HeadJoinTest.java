package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.config.ClusterSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The head's wait for worker nodes. With worker nodes it is exercised by the node module's deployment tests; here
 * the error text and the cases that need no other member.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class HeadJoinTest {
    private static final ClusterSettings TWO = ClusterSettings.defaults().withEnabled(true).withMinWorkerNodes(2)
            .withJoinTimeout(Duration.ofSeconds(1));

    @Test
    void theTimeoutErrorSaysWhatWasSeenAndTried() {
        String m = HeadJoin.timeoutMessage(TWO, List.of("pekko://strata@127.0.0.1:25521"),
                List.of("pekko://strata@127.0.0.1:25520"), "pekko://strata@127.0.0.1:25520", true);
        assertTrue(m.contains("1 of 2 worker node(s)"), m);
        assertTrue(m.contains("worker nodes up: [pekko://strata@127.0.0.1:25521]"), m);
        assertTrue(m.contains("seed nodes tried: pekko://strata@127.0.0.1:25520"), m);
        assertTrue(m.contains("after 1 s"), m);
        assertTrue(!m.contains("never became"), m);
    }

    @Test
    void theTimeoutErrorSaysWhenTheHeadItselfNeverJoinedOrHadNoSeeds() {
        String notJoined = HeadJoin.timeoutMessage(TWO, List.of(), List.of("pekko://strata@10.0.0.9:25520"),
                "pekko://strata@127.0.0.1:41000", false);
        assertTrue(notJoined.contains("0 of 2") && notJoined.contains("worker nodes up: none"), notJoined);
        assertTrue(notJoined.contains("this head (pekko://strata@127.0.0.1:41000) itself never became an Up member"),
                notJoined);
        String noSeeds = HeadJoin.timeoutMessage(TWO, List.of(), List.of(), "pekko://strata@127.0.0.1:41000", true);
        assertTrue(noSeeds.contains("none configured (pekko.cluster.seed-nodes is empty"), noSeeds);
    }

    @Test
    void aHeadWithoutSeedNodesFormsItsOwnClusterAndFailsNamingWorkerNodes() {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), MemberConfig.SYSTEM_NAME,
                MemberConfig.of(MemberConfig.HEAD_ROLE, ConfigFactory.parseString(
                        "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                                + "pekko.remote.artery.canonical.port = 0").withFallback(ConfigFactory.load())));
        try {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> HeadJoin.await(system, TWO.withMinWorkerNodes(1)));
            assertTrue(e.getMessage().contains("0 of 1 worker node(s)"), e.getMessage());
            assertTrue(e.getMessage().contains("formed a cluster of its own"), e.getMessage());
            assertEquals(List.of(), HeadJoin.await(system, TWO.withMinWorkerNodes(0)), "0: no wait");
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    @Test
    void durationsReadAsTheConfigurationWritesThem() {
        assertEquals("60 s", HeadJoin.seconds(java.time.Duration.ofMinutes(1)));
        assertEquals("1.5 s", HeadJoin.seconds(java.time.Duration.ofMillis(1500)));
        assertEquals("0 s", HeadJoin.seconds(java.time.Duration.ZERO));
    }
}
