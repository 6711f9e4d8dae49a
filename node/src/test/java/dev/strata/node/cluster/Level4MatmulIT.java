package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The level-4 example as a user runs it, three JVMs from the packaged jar: two worker nodes
 * ({@code node config/cluster/worker-1.conf} and {@code worker-2.conf}, the shipped files) and the head
 * ({@code run} with the shipped config/cluster/level4-matmul.conf), ports and seed node overridden to free ones (by
 * -D for the nodes, by a run file that includes the shipped one for the head). The head must exit 0 having printed
 * the job's verification (C within max-error of the double-precision C, equal to the single-thread C) and one line
 * per node with one level-4 task each; SIGTERM then stops each node with exit 0. Every JVM is reaped; the logs stay
 * in target/level4-matmul-it.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class Level4MatmulIT {
    private static final Path SHIPPED = Path.of(System.getProperty("user.dir")).resolve("../config/cluster")
            .normalize();
    private static final Path LOGS = Path.of("target", "level4-matmul-it");
    /** Bound on the head's whole run (start, join, job) and on an exit: wide, for a loaded 2-core machine. */
    private static final Duration BOUND = Duration.ofSeconds(240);
    private static final Pattern VERIFIED = Pattern.compile("(?m)^  max error    \\S+  max \\|C - C_ref\\| .*: ok$");
    private static final Pattern NODE_LINE = Pattern.compile(
            "(?m)^  node (127\\.0\\.0\\.1:\\d+)  1 task  0 retries  [0-9.]+ [KMG]?i?B in, [0-9.]+ [KMG]?i?B back$");
    /** Join soon after the seed is there, not 5-10 s later; the same on the head and the nodes. */
    private static final List<String> FAST_JOIN = List.of("pekko.cluster.seed-node-timeout=1s",
            "pekko.cluster.retry-unsuccessful-join-after=1s");

    private final List<NodeJvm> nodes = new ArrayList<>();
    private Process head;
    private Path headLog;

    @AfterEach
    void reapEverything() throws InterruptedException {
        try {
            if (head != null && head.isAlive()) {
                head.destroyForcibly();
                head.waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            for (NodeJvm node : nodes) {
                node.close();
            }
        }
    }

    @Test
    void theLevel4ExampleRunsFromTheJarOnTwoNodeJvmsAndVerifies() throws Exception {
        Files.createDirectories(LOGS);
        int headPort = LoopbackCluster.freePort();
        String seed = LoopbackCluster.address(headPort);
        List<String> hostPorts = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            int port = LoopbackCluster.freePort();
            hostPorts.add(LoopbackCluster.HOST + ":" + port);
            List<String> options = new ArrayList<>(List.of("-Xmx256m",
                    "-Dpekko.remote.artery.canonical.port=" + port, "-Dpekko.cluster.seed-nodes.0=" + seed));
            FAST_JOIN.forEach(o -> options.add("-D" + o));
            nodes.add(NodeJvm.fromJar("worker-" + i, LOGS, SHIPPED.resolve("worker-" + i + ".conf"), options));
        }

        Path runFile = Files.writeString(LOGS.resolve("head.conf"), "include file(\""
                + SHIPPED.resolve("level4-matmul.conf") + "\")\n"
                + "pekko.remote.artery.canonical.port = " + headPort + "\n"
                + "pekko.cluster.seed-nodes = [\"" + seed + "\"]\n"
                + String.join("\n", FAST_JOIN) + "\n"
                + "strata.cluster.join-timeout = 180 s\n");
        head = startHead(runFile);
        assertTrue(head.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS), "the head's run did not end within " + BOUND
                + tails());
        String printed = Files.readString(headLog);
        assertEquals(0, head.exitValue(), printed + tails());

        assertTrue(printed.contains("level4-matmul: C = A x B, n=512 (FLOAT32), 2 engines (level 3)"), printed);
        assertTrue(VERIFIED.matcher(printed).find(), "within max-error of the double-precision C: " + printed);
        assertTrue(printed.contains("(same arithmetic on the head, same C bit for bit)"), printed);
        List<String> named = new ArrayList<>();
        Matcher line = NODE_LINE.matcher(printed);
        while (line.find()) {
            named.add(line.group(1));
        }
        assertEquals(hostPorts.stream().sorted().toList(), named.stream().sorted().toList(),
                "each node's engine ran one panel of the last run: " + printed + tails());

        // One after the other, as an operator would (ClusterCholeskyIT says why).
        for (NodeJvm node : nodes) {
            assertTrue(node.sigterm(), "SIGTERM sent" + node.tail());
            assertEquals(0, node.awaitExit(BOUND), "exit code after SIGTERM" + node.tail());
            assertTrue(node.output().contains("left the cluster"), node.tail());
        }
    }

    /** {@code java -jar target/strata-node.jar run <runFile>}, stdout and stderr to {@code LOGS/head.log}. */
    private Process startHead(Path runFile) throws IOException {
        if (!Files.isRegularFile(NodeJvm.JAR)) {
            throw new IllegalStateException(NodeJvm.JAR.toAbsolutePath() + " is missing: integration tests run after"
                    + " the package phase (mvn verify)");
        }
        headLog = LOGS.resolve("head.log");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", NodeJvm.JAR.toString(), "run", runFile.toString());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(headLog.toFile()).start();
    }

    private String tails() {
        StringBuilder b = new StringBuilder();
        nodes.forEach(n -> b.append(n.tail()));
        return b.toString();
    }
}
