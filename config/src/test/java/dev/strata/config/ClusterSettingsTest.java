package dev.strata.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

    @Test
    void defaultsAreThoseOfTheApiTable() {
        ClusterSettings s = ClusterSettings.defaults();
        assertFalse(s.enabled());
        assertEquals(1, s.minWorkerNodes());
        assertEquals(Duration.ofSeconds(60), s.joinTimeout());
        assertEquals(2, s.maxTaskRetries());
        assertEquals(Duration.ofMinutes(10), s.taskTimeout());
        assertEquals(Duration.ofSeconds(60), s.noWorkerTimeout());
    }

    @Test
    void readsEveryKey() {
        ClusterSettings s = ClusterSettings.fromConfig(ConfigFactory.parseString("strata.cluster {\n"
                + "enabled = true\nmin-worker-nodes = 3\njoin-timeout = 5 s\nmax-task-retries = 0\n"
                + "task-timeout = 2 minutes\nno-worker-timeout = 30 s\n}"));
        assertEquals(new ClusterSettings(true, 3, Duration.ofSeconds(5), 0, Duration.ofMinutes(2),
                Duration.ofSeconds(30)), s);
    }

    @Test
    void zeroWorkerNodesMeansInitDoesNotWait() {
        assertEquals(0, ClusterSettings.defaults().withMinWorkerNodes(0).minWorkerNodes());
    }

    @Test
    void outOfRangeValuesFailNamingTheKey() {
        assertKey("strata.cluster.min-worker-nodes", "must be >= 0", "strata.cluster.min-worker-nodes = -1");
        assertKey("strata.cluster.join-timeout", "must be > 0", "strata.cluster.join-timeout = 0 s");
        assertKey("strata.cluster.max-task-retries", "must be >= 0", "strata.cluster.max-task-retries = -2");
        assertKey("strata.cluster.task-timeout", "must be > 0", "strata.cluster.task-timeout = -1 s");
        assertKey("strata.cluster.no-worker-timeout", "must be > 0", "strata.cluster.no-worker-timeout = 0 ms");
    }

    @Test
    void malformedValuesFailNamingTheKey() {
        assertKey("strata.cluster.enabled", "must be true or false", "strata.cluster.enabled = perhaps");
        assertKey("strata.cluster.min-worker-nodes", "must be an integer", "strata.cluster.min-worker-nodes = two");
        assertKey("strata.cluster.join-timeout", "must be a duration", "strata.cluster.join-timeout = soon");
    }

    @Test
    void withersValidate() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ClusterSettings.defaults().withJoinTimeout(Duration.ZERO));
        assertEquals("strata.cluster.join-timeout", e.key());
        assertTrue(ClusterSettings.defaults().withEnabled(true).enabled());
    }

    @Test
    void theClusterKeysAreKnownToTheTypoCheck() {
        new KnownKeys(ConfigFactory.defaultReference()).check(ConfigFactory.parseString(
                "strata.cluster { enabled = true, min-worker-nodes = 2, join-timeout = 1 s }"));
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> new KnownKeys(ConfigFactory.defaultReference()).check(
                        ConfigFactory.parseString("strata.cluster.min-worker-node = 2")));
        assertTrue(e.getMessage().contains("did you mean strata.cluster.min-worker-nodes?"), e.getMessage());
    }

    private static void assertKey(String key, String rule, String hocon) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> ClusterSettings.fromConfig(ConfigFactory.parseString(hocon)));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().startsWith("invalid setting " + key + " = "), e.getMessage());
        assertTrue(e.getMessage().contains(rule), e.getMessage());
    }
}
