package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.config.InvalidSettingException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberConfigTest {

    @Test
    void aMemberIsAClusterMemberWithItsRoleAndTheSplitBrainResolver() {
        Config c = MemberConfig.of(MemberConfig.HEAD_ROLE, ConfigFactory.load());
        assertEquals("cluster", c.getString("pekko.actor.provider"));
        assertEquals(List.of("head"), c.getStringList("pekko.cluster.roles"));
        assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
                c.getString("pekko.cluster.downing-provider-class"));
        assertEquals("keep-majority", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertTrue(c.getBoolean("pekko.cluster.jmx.multi-mbeans-in-same-jvm"));
    }

    @Test
    void strataSetsTheRoleWhateverTheUserSays() {
        Config user = ConfigFactory.parseString("pekko.cluster.roles = [head]\npekko.actor.provider = local")
                .withFallback(ConfigFactory.load());
        Config c = MemberConfig.of(MemberConfig.WORKER_ROLE, user);
        assertEquals(List.of("worker"), c.getStringList("pekko.cluster.roles"));
        assertEquals("cluster", c.getString("pekko.actor.provider"));
    }

    @Test
    void failureDetectionIsTunedForAComputeClusterUnlessTheUserChoseOtherValues() {
        Config tuned = MemberConfig.of(MemberConfig.WORKER_ROLE, ConfigFactory.load());
        assertEquals(Duration.ofMillis(500), tuned.getDuration("pekko.cluster.failure-detector.heartbeat-interval"));
        assertEquals(Duration.ofSeconds(2),
                tuned.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"));
        assertEquals(Duration.ofSeconds(5), tuned.getDuration("pekko.cluster.split-brain-resolver.stable-after"));

        Config user = ConfigFactory.parseString("pekko.cluster.split-brain-resolver.stable-after = 20 s")
                .withFallback(ConfigFactory.load());
        Config kept = MemberConfig.of(MemberConfig.WORKER_ROLE, user);
        assertEquals(Duration.ofSeconds(20), kept.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
        assertEquals(Duration.ofMillis(500), kept.getDuration("pekko.cluster.failure-detector.heartbeat-interval"));
    }

    @Test
    void seedNodesMustBeStrataAddresses() {
        assertEquals(List.of("pekko://strata@127.0.0.1:25520"), MemberConfig.seedNodes(ConfigFactory.parseString(
                "pekko.cluster.seed-nodes = [\"pekko://strata@127.0.0.1:25520\"]")));
        assertEquals(List.of(), MemberConfig.seedNodes(ConfigFactory.load()));
        assertSeedsRejected("pekko.cluster.seed-nodes = [\"pekko://other@127.0.0.1:25520\"]", "named strata");
        assertSeedsRejected("pekko.cluster.seed-nodes = [\"127.0.0.1:25520\"]", "not an address");
        assertSeedsRejected("pekko.cluster.seed-nodes = \"pekko://strata@127.0.0.1:25520\"", "must be a list");
    }

    private static void assertSeedsRejected(String hocon, String rule) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> MemberConfig.seedNodes(ConfigFactory.parseString(hocon)));
        assertEquals(MemberConfig.SEED_NODES, e.key());
        assertTrue(e.getMessage().contains(rule), e.getMessage());
    }
}
