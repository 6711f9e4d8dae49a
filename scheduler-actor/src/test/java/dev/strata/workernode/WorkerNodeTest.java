package dev.strata.workernode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.config.InvalidSettingException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 1, unit = TimeUnit.MINUTES)
class WorkerNodeTest {

    private static Config node(String hocon) {
        return ConfigFactory.parseString("pekko.remote.artery.canonical.hostname = 127.0.0.1\n" + hocon)
                .withFallback(ConfigFactory.load()).resolve();
    }

    @Test
    void aNodeThatIsItsOwnSeedComesUpAndLeavesWhenAsked() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String self = "pekko://strata@127.0.0.1:" + port;
        WorkerNode node = WorkerNode.start(node("pekko.remote.artery.canonical.port = " + port
                + "\npekko.cluster.seed-nodes = [\"" + self + "\"]"));
        try {
            assertEquals(self, node.whenUp().toCompletableFuture().get(30, TimeUnit.SECONDS));
            assertEquals(self, node.address());
            assertFalse(node.leaving());
        } finally {
            assertTrue(node.leave(Duration.ofSeconds(20)), "left and stopped");
        }
        assertTrue(node.leaving());
        assertTrue(node.whenTerminated().toCompletableFuture().isDone());
    }

    @Test
    void aNodeNeedsASeedNode() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> WorkerNode.start(node("pekko.remote.artery.canonical.port = 0")));
        assertEquals("pekko.cluster.seed-nodes", e.key());
        assertTrue(e.getMessage().contains("needs at least one seed node"), e.getMessage());
    }

    @Test
    void aTypoInTheNodesStrataSettingsFailsNamingIt() throws IOException {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> WorkerNode.start(node(
                "pekko.cluster.seed-nodes = [\"pekko://strata@127.0.0.1:25520\"]\nstrata.cluster.min-worker-node = 1")));
        assertEquals("strata.cluster.min-worker-node", e.key());
    }
}
