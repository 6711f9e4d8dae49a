package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.workernode.WorkerNode;
import dev.strata.node.Cli;
import dev.strata.node.JobKind;
import dev.strata.node.RunFile;
import dev.strata.node.matmul.BlockedMatmulJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped run file config/cluster/level4-matmul.conf, run by the {@code run} command against two worker nodes
 * in this JVM (free ports instead of 25520-25522, every message serialized, a smaller matrix): a level-4 head whose
 * two engines are level-3 engines with 2 chips each, one per node. The job passes — its C equals the single-thread
 * multiply on the head bit for bit and is within max-error of the double-precision one — and the summary names both
 * nodes with one level-4 task each: both engines ran a panel.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class Level4MatmulClusterTest {
    private static final Path SHIPPED = Path.of(System.getProperty("user.dir"))
            .resolve("../config/cluster/level4-matmul.conf").normalize();
    /** A worker node's settings for its level-3 engine: 2 chips, small memory. */
    private static final String NODE = "strata.worker { chip-workers = 2, arena-size = 16 MiB, heap-ring-size = 4 MiB }\n";
    private static final Pattern NODE_LINE = Pattern.compile(
            "(?m)^  node (127\\.0\\.0\\.1:\\d+)  1 task  0 retries  [0-9.]+ [KMG]?i?B in, [0-9.]+ [KMG]?i?B back$");
    private static final Pattern VERIFIED = Pattern.compile("(?m)^  max error    \\S+  max \\|C - C_ref\\| .*: ok$");

    @TempDir
    Path dir;

    private final List<WorkerNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        nodes.forEach(WorkerNode::close);
    }

    @Test
    void theShippedFileIsAValidRunFileForALevel4Head() throws Exception {
        RunFile runFile = RunFile.load(SHIPPED);
        assertInstanceOf(BlockedMatmulJob.class, JobKind.createJob(runFile)); // validates everything without running
        assertEquals(4, runFile.config().getInt("strata.worker.level"));
        assertTrue(runFile.config().getBoolean("strata.cluster.enabled"));
        assertEquals(2, runFile.config().getInt("strata.cluster.min-worker-nodes"));
    }

    @Test
    void theRunCommandMultipliesOnTwoEnginesOnTwoNodesAndVerifiesAgainstOneThread() throws Exception {
        int headPort = LoopbackCluster.freePort();
        // The shipped file, then what a test must change: ports, serialization, a matrix that runs in a second.
        Path runFile = Files.writeString(dir.resolve("head.conf"), "include file(\"" + SHIPPED + "\")\n"
                + LoopbackCluster.member(headPort, List.of(headPort))
                + "strata.cluster.join-timeout = 90 s\n"
                + "strata.job { matrix-size = 128, tile-size = 24, block-dim = 2, repetitions = 2 }\n");
        for (int i = 0; i < 2; i++) {
            nodes.add(WorkerNode.start(LoopbackCluster.config(LoopbackCluster.member(0, List.of(headPort)), NODE)));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run("run", runFile.toString());
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(Cli.OK, exit, printed + err.toString(StandardCharsets.UTF_8));

        assertTrue(printed.startsWith("level4-matmul: C = A x B, n=128 (FLOAT32), 2 engines (level 3), a row panel"
                + " of <= 64 rows each, tiles of 24 rows, block-dim=2"), printed);
        assertTrue(VERIFIED.matcher(printed).find(), "within max-error of the double-precision C: " + printed);
        assertTrue(printed.contains("(same arithmetic on the head, same C bit for bit)"),
                "the engines' C is the one-thread C (the job fails otherwise): " + printed);
        List<String> named = new ArrayList<>();
        Matcher node = NODE_LINE.matcher(printed);
        while (node.find()) {
            named.add(node.group(1));
        }
        List<String> expected = nodes.stream().map(n -> n.address().substring(n.address().lastIndexOf('@') + 1))
                .sorted().toList();
        assertEquals(expected, named.stream().sorted().toList(), "one panel on each node's engine: " + printed);
    }
}
