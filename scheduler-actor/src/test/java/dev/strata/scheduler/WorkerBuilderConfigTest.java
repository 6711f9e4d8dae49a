package dev.strata.scheduler;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.cluster.ClusterJoinException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code Worker.Builder.config}: what the setters do not cover (cluster mode, the actor system) comes from it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerBuilderConfigTest {

    @Test
    void theBuildersConfigTurnsClusterModeOn() {
        // Cluster mode on, nobody to join: init() waits its (short) join timeout and says what it tried.
        try (Worker w = Worker.builder().numChipWorkers(1).heapRingSize(1 << 20).config(ConfigFactory.parseString(
                "strata.cluster { enabled = true, join-timeout = 2 s, min-worker-nodes = 1 }\n"
                        + "pekko.remote.artery.canonical { hostname = \"127.0.0.1\", port = 0 }\n"
                        + "pekko.cluster.seed-nodes = [\"pekko://strata@127.0.0.1:1\"]")).build()) {
            ClusterJoinException e = assertThrows(ClusterJoinException.class, w::init);
            assertTrue(e.getMessage().contains("127.0.0.1:1"), e::getMessage);
        }
    }

    @Test
    void aSectionTheSettersOwnIsRefusedNotIgnored() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Worker.builder()
                .config(ConfigFactory.parseString("strata.check.tags = on")));
        assertTrue(e.getMessage().contains("strata.check") && e.getMessage().contains("setters"), e::getMessage);
    }
}
