package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.workernode.WorkerNode;
import dev.strata.node.Cli;
import dev.strata.node.JobKind;
import dev.strata.node.RunFile;
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
 * The shipped run file config/cluster/tiled-cholesky.conf, run by the {@code run} command against two worker nodes
 * in this JVM (free ports instead of 25520-25522, every message serialized, a smaller matrix): the job passes and
 * the summary names both nodes with task counts that add up to the job's tasks, and the report's chip lanes their
 * nodes.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TiledCholeskyClusterRunTest {
    private static final Path SHIPPED = Path.of(System.getProperty("user.dir"))
            .resolve("../config/cluster/tiled-cholesky.conf").normalize();
    private static final Pattern NODE_LINE = Pattern.compile(
            "(?m)^  node (127\\.0\\.0\\.1:\\d+)  (\\d+) tasks?  0 retries  [0-9.]+ [KMG]?i?B in, [0-9.]+ [KMG]?i?B back$");
    private static final Pattern TASKS_LINE = Pattern.compile("(?m)^  tasks        (\\d+) ");

    @TempDir
    Path dir;

    private final List<WorkerNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        nodes.forEach(WorkerNode::close);
    }

    @Test
    void theShippedFileIsAValidRunFile() throws Exception {
        JobKind.createJob(RunFile.load(SHIPPED)); // validates everything without running
    }

    @Test
    void theRunSummaryNamesBothWorkerNodesWithTheirTasks() throws Exception {
        int headPort = LoopbackCluster.freePort();
        // The shipped file, then what a test must change: ports, serialization, a matrix that runs in seconds.
        Path runFile = Files.writeString(dir.resolve("head.conf"), "include file(\"" + SHIPPED + "\")\n"
                + LoopbackCluster.member(headPort, List.of(headPort))
                + "strata.worker { arena-size = 16 MiB, heap-ring-size = 4 MiB }\n"
                // The sequential baseline is the one-JVM result: the job fails unless both factors are equal bit for bit.
                + "strata.job { matrix-size = 512, repetitions = 1, sequential-baseline = true }\n");
        for (int i = 0; i < 2; i++) {
            nodes.add(WorkerNode.start(LoopbackCluster.config(LoopbackCluster.member(0, List.of(headPort)),
                    "strata.worker.arena-size = 16 MiB\n")));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run("run", runFile.toString(), "--report",
                dir.resolve("report.html").toString());
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(Cli.OK, exit, printed + err.toString(StandardCharsets.UTF_8));

        assertTrue(printed.contains("same kernel calls, one thread, same factor"),
                "the 3-member cluster's factor equals the one-thread factor bit for bit: " + printed);
        Matcher tasks = TASKS_LINE.matcher(printed);
        assertTrue(tasks.find(), printed);
        long sum = 0;
        List<String> named = new ArrayList<>();
        Matcher node = NODE_LINE.matcher(printed);
        while (node.find()) {
            named.add(node.group(1));
            sum += Long.parseLong(node.group(2));
        }
        List<String> expected = nodes.stream().map(n -> n.address().substring(n.address().lastIndexOf('@') + 1))
                .sorted().toList();
        assertEquals(expected, named.stream().sorted().toList(), printed);
        assertEquals(Long.parseLong(tasks.group(1)), sum, printed);
        // Five untimed factorisations and the timed one; no engine warm-up with EngineWarmUpKernel on a cluster.
        assertTrue(printed.contains("metrics      runs=6 "), printed);
        // The report's lanes name each chip that ran with its node.
        String report = Files.readString(dir.resolve("report.html"));
        for (String hostPort : expected) {
            assertTrue(Pattern.compile("chip \\d @ " + Pattern.quote(hostPort)).matcher(report).find(),
                    "a chip lane names " + hostPort);
        }
    }
}
