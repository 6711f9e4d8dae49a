package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.scheduler.Worker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private static final long BOUND_SECONDS = 90;
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void reapChildren() throws InterruptedException {
        for (Process p : children) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** A started node JVM whose output is copied to {@code log}; {@code upLine} completes when it logs it is up. */
    private record Child(Process process, Path log, CompletableFuture<String> upLine, CompletableFuture<Void> copied) {
        /** The whole output, once the child has ended and its last line is in the log. */
        String output() throws Exception {
            copied.get(BOUND_SECONDS, TimeUnit.SECONDS);
            return Files.readString(log);
        }

        String tail() {
            try {
                List<String> lines = Files.readAllLines(log);
                return "\n--- tail of " + log + " ---\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException e) {
                return " (no log: " + e + ")";
            }
        }
    }

    private Child startNode(String name, String fileText) throws IOException {
        Files.createDirectories(LOGS);
        Path file = LOGS.resolve(name + ".conf");
        Files.writeString(file, fileText);
        Path log = LOGS.resolve(name + ".log");
        ProcessBuilder b = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.strata.node.Main", "node",
                file.toString()).redirectErrorStream(true);
        Process p = b.start();
        children.add(p);
        CompletableFuture<String> up = new CompletableFuture<>();
        CompletableFuture<Void> copied = new CompletableFuture<>();
        Thread copier = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8)); Writer w = Files.newBufferedWriter(log)) {
                for (String line; (line = r.readLine()) != null; ) {
                    w.write(line);
                    w.write('\n');
                    w.flush();
                    if (line.contains("is up (role worker)")) {
                        up.complete(line);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                up.completeExceptionally(new IllegalStateException("the node's output ended without an up line"));
                copied.complete(null);
            }
        }, "node-output-" + name);
        copier.setDaemon(true);
        copier.start();
        return new Child(p, log, up, copied);
    }

    @Test
    void aNodeJoinsTheHeadSaysItIsUpAndOnSigtermLeavesAndExits0() throws Exception {
        int headPort = LoopbackCluster.freePort();
        try (Worker head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort,
                List.of(headPort)) + "strata.cluster { enabled = true, min-worker-nodes = 1, join-timeout = 90 s }"
                + "\nstrata.worker.sub-workers = 1"))) {
            CompletableFuture<Void> init = CompletableFuture.runAsync(head::init);
            Child node = startNode("worker", LoopbackCluster.member(0, List.of(headPort)));
            String up;
            try {
                up = node.upLine().get(BOUND_SECONDS, TimeUnit.SECONDS);
                init.get(BOUND_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("node or head not up: " + e + node.tail(), e);
            }
            assertTrue(up.contains("pekko://strata@127.0.0.1:") && up.contains("it hosts chip entities"),
                    up + node.tail());

            // SIGTERM, through the handle: Process.destroy() would also close our end of the child's output.
            assertTrue(node.process().toHandle().destroy(), "SIGTERM sent");
            assertTrue(node.process().waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "node still running" + node.tail());
            assertEquals(0, node.process().exitValue(), "exit code after SIGTERM" + node.tail());
            assertTrue(node.output().contains("left the cluster"), node.tail());
        }
    }

    @Test
    void aBadNodeFileExits2NamingTheKey() throws Exception {
        Child node = startNode("bad", "pekko.cluster.seed-nodes = [\"pekko://other@127.0.0.1:25520\"]\n");
        assertTrue(node.process().waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "bad node still running" + node.tail());
        String out = node.output();
        assertEquals(2, node.process().exitValue(), node.tail());
        assertTrue(out.contains("invalid setting pekko.cluster.seed-nodes = pekko://other@127.0.0.1:25520"),
                node.tail());
        assertTrue(!out.contains("\tat "), "no stack trace" + node.tail());
    }
}
