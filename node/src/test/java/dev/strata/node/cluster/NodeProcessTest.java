package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.scheduler.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code node} command as a real JVM ({@code java -cp <test class path> dev.strata.node.Main node <file>}): it
 * joins a head in this JVM and logs its up line, and SIGTERM makes it leave and exit 0; a bad file exits 2 naming
 * the key. Each child's output goes to a file under target/ and its tail into every failure message.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NodeProcessTest {
    private static final Path LOGS = Path.of("target", "node-process-test");
    private static final Duration BOUND = Duration.ofSeconds(90);
    private final List<NodeJvm> children = new ArrayList<>();

    @AfterEach
    void reapChildren() throws InterruptedException {
        for (NodeJvm child : children) {
            child.close();
        }
    }

    private NodeJvm startNode(String name, String fileText) throws IOException {
        Files.createDirectories(LOGS);
        Path file = Files.writeString(LOGS.resolve(name + ".conf"), fileText);
        NodeJvm child = NodeJvm.fromClassPath(name, LOGS, file, List.of("-Xmx256m"));
        children.add(child);
        return child;
    }

    @Test
    void aNodeJoinsTheHeadSaysItIsUpAndOnSigtermLeavesAndExits0() throws Exception {
        int headPort = LoopbackCluster.freePort();
        try (Worker head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort,
                List.of(headPort)) + "strata.cluster { enabled = true, min-worker-nodes = 1, join-timeout = 90 s }"
                + "\nstrata.worker.sub-workers = 1"))) {
            CompletableFuture<Void> init = CompletableFuture.runAsync(head::init);
            NodeJvm node = startNode("worker", LoopbackCluster.member(0, List.of(headPort)));
            String up = node.awaitUp(BOUND);
            try {
                init.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("head not up: " + e + node.tail(), e);
            }
            assertTrue(up.contains("pekko://strata@127.0.0.1:") && up.contains("it hosts chip entities"),
                    up + node.tail());

            assertTrue(node.sigterm(), "SIGTERM sent");
            assertEquals(0, node.awaitExit(BOUND), "exit code after SIGTERM" + node.tail());
            assertTrue(node.output().contains("left the cluster"), node.tail());
        }
    }

    @Test
    void aBadNodeFileExits2NamingTheKey() throws Exception {
        NodeJvm node = startNode("bad", "pekko.cluster.seed-nodes = [\"pekko://other@127.0.0.1:25520\"]\n");
        assertEquals(2, node.awaitExit(BOUND), node.tail());
        String out = node.output();
        assertTrue(out.contains("invalid setting pekko.cluster.seed-nodes = pekko://other@127.0.0.1:25520"),
                node.tail());
        assertTrue(!out.contains("\tat "), "no stack trace" + node.tail());
    }
}
