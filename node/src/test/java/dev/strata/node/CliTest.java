package dev.strata.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.scheduler.RunSummary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end: exit codes, what goes to stdout and stderr, and small real runs. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CliTest {
    private static final String SMALL_CHOLESKY = """
            strata.worker { chip-workers = 2, arena-size = 8 MiB, heap-ring-size = 4 MiB }
            strata.job { kind = tiled-cholesky, matrix-size = 256, tile-size = 64, block-dim = 2 }
            """;
    private static final String SMALL_NOOP_DAG = """
            strata.worker { sub-workers = 2, arena-size = 8 MiB, heap-ring-size = 4 MiB }
            strata.job { kind = noop-dag, shapes = [independent, chain, fan, group], tasks = 200 }
            """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void noCommandPrintsUsageAndExits2() {
        assertEquals(Cli.BAD_CONFIGURATION, cli());
        assertTrue(err().contains("missing command") && err().contains("usage: strata"), err());
    }

    @Test
    void unknownCommandPrintsUsageAndExits2() {
        assertEquals(Cli.BAD_CONFIGURATION, cli("frobnicate"));
        assertTrue(err().contains("unknown command 'frobnicate'") && err().contains("usage:"), err());
    }

    @Test
    void helpPrintsUsageToStdout() {
        assertEquals(Cli.OK, cli("--help"));
        assertTrue(out().contains("run <file.conf>"), out());
    }

    @Test
    void runWithoutFileExits2() {
        assertEquals(Cli.BAD_CONFIGURATION, cli("run"));
        assertTrue(err().contains("exactly one argument"), err());
    }

    @Test
    void missingRunFileExits2() {
        assertEquals(Cli.BAD_CONFIGURATION, cli("run", dir.resolve("absent.conf").toString()));
        assertOneLineError("run file not found");
    }

    @Test
    void hoconSyntaxErrorExits2() throws Exception {
        assertEquals(Cli.BAD_CONFIGURATION, cli("run", write("broken.conf", "strata { job { kind = noop-dag \n")));
        assertOneLineError("cannot parse run file");
        assertTrue(err().contains("broken.conf"), err());
    }

    @Test
    void invalidWorkerSettingExits2NamingTheKey() throws Exception {
        String file = write("worker.conf", SMALL_NOOP_DAG + "strata.worker.sub-workers = many\n");
        assertEquals(Cli.BAD_CONFIGURATION, cli("run", file));
        assertOneLineError("strata.worker.sub-workers");
    }

    @Test
    void misspelledEngineKeyExits2NamingItAndTheNearestKey() throws Exception {
        String file = write("typo.conf", SMALL_NOOP_DAG + "strata.wroker.heap-ring-size = 64 MiB\n");
        assertEquals(Cli.BAD_CONFIGURATION, cli("run", file));
        assertOneLineError("strata.wroker.heap-ring-size");
        assertTrue(err().contains("did you mean strata.worker.heap-ring-size?"), err());
    }

    @Test
    void missingMemoryDirExits2NamingTheKey() throws Exception {
        String file = write("dir.conf", SMALL_NOOP_DAG + "strata.worker.memory-dir = \"" + dir.resolve("absent") + "\"\n");
        assertEquals(Cli.BAD_CONFIGURATION, cli("run", file));
        assertOneLineError("strata.worker.memory-dir");
    }

    @Test
    void headWithoutWorkerNodesExits1WithOneLineSayingWhatItSaw() throws Exception {
        String file = write("head.conf", SMALL_NOOP_DAG + """
                strata.cluster { enabled = true, min-worker-nodes = 1, join-timeout = 2 s }
                pekko.remote.artery.canonical { hostname = 127.0.0.1, port = 0 }
                """);
        assertEquals(Cli.JOB_FAILED, cli("run", file));
        assertOneLineError("cannot start the engine");
        assertTrue(err().contains("worker"), err());
    }

    @Test
    void fanWiderThanTheTaskWindowExits2BeforeAnyEngineStarts() throws Exception {
        String file = write("wide.conf", SMALL_NOOP_DAG.replace("tasks = 200", "tasks = 2000")
                + "strata.worker.task-window = 1024\n");
        assertEquals(Cli.BAD_CONFIGURATION, cli("run", file));
        assertOneLineError("strata.job.tasks");
        assertTrue(err().contains("strata.worker.task-window"), err());
    }

    @Test
    void unknownJobKindExits2NamingTheKey() throws Exception {
        assertEquals(Cli.BAD_CONFIGURATION, cli("run", write("kind.conf", "strata.job.kind = lu\n")));
        assertOneLineError("strata.job.kind");
    }

    @Test
    void badJobParameterExits2NamingTheKey() throws Exception {
        String file = write("param.conf", SMALL_CHOLESKY + "strata.job.matrix-size = 250\n");
        assertEquals(Cli.BAD_CONFIGURATION, cli("run", file));
        assertOneLineError("strata.job.matrix-size");
    }

    @Test
    void smallTiledCholeskyRunsAndVerifies() throws Exception {
        assertEquals(Cli.OK, cli("run", write("cholesky.conf", SMALL_CHOLESKY)), err());
        assertTrue(out().contains("tasks        20 (POTRF 4, TRSM 6, SYRK 6, GEMM 4)"), out());
        assertTrue(out().contains("): ok"), out());
        assertTrue(out().contains("GFLOP/s") && out().contains("speed-up"), out());
    }

    @Test
    void residualAboveTheBoundExits1() throws Exception {
        // No float factorisation reaches 1e-30: the job runs, the check fails.
        String file = write("strict.conf", SMALL_CHOLESKY + "strata.job { max-residual = 1e-30, sequential-baseline = false }\n");
        assertEquals(Cli.JOB_FAILED, cli("run", file), err());
        assertTrue(out().contains("FAILED"), out());
        assertOneLineError("strata.job.max-residual");
    }

    @Test
    void smallNoopDagRunsEveryShape() throws Exception {
        assertEquals(Cli.OK, cli("run", write("noop.conf", SMALL_NOOP_DAG)), err());
        for (String shape : new String[] {"independent +200", "chain +200", "fan +202", "group +200"}) {
            assertTrue(out().lines().anyMatch(l -> l.matches("  " + shape + " tasks .* ok")),
                    "no '" + shape + " tasks ... ok' line in\n" + out());
        }
        assertFalse(out().contains("FAILED"), out());
    }

    @Test
    void stderrCapturedByTheTestRunnerIsNotATerminal() {
        // Surefire pipes a forked JVM's stderr: progress must then come as plain log lines, not \r updates.
        assertFalse(RunCommand.stderrIsTerminal());
    }

    @Test
    void shippedExamplesAreValidRunFiles() throws Exception {
        for (String name : new String[] {"tiled-cholesky.conf", "noop-dag.conf"}) {
            Path example = Path.of(System.getProperty("user.dir")).resolve("../config/examples").resolve(name);
            JobKind.createJob(RunFile.load(example));   // validates everything without running
        }
    }

    @Test
    void traceAndReportFlagsWriteBothFiles() throws Exception {
        Path trace = dir.resolve("out.json");
        Path report = dir.resolve("report.html");
        String file = write("traced.conf", SMALL_NOOP_DAG.replace("[independent, chain, fan, group]", "[fan]"));
        assertEquals(Cli.OK, cli("run", file, "--trace", trace.toString(), "--report", report.toString()), err());
        String json = Files.readString(trace);
        assertTrue(json.startsWith("{") && json.contains("\"traceEvents\"") && json.contains("\"ph\":\"X\""), json);
        String html = Files.readString(report);
        assertTrue(html.contains("<svg id=\"swimlane\"") && html.contains("<div id=\"selfcheck\" hidden"), html);
        assertTrue(out().contains("report       " + report) && out().contains("metrics      runs="), out());
        assertFalse(out().contains("  node "), "no worker node lines without cluster mode: " + out());
        assertTrue(out().contains("all runs: dispatch latency p50="), out());
    }

    @Test
    void laterRunsTraceFilesAreNamedAsWritten() throws Exception {
        Path trace = dir.resolve("out.json");
        String file = write("one.conf", SMALL_NOOP_DAG.replace("[independent, chain, fan, group]", "[fan]"));
        assertEquals(Cli.OK, cli("run", file, "--trace", trace.toString()), err());
        assertTrue(out().contains("trace        " + trace + " (and out-2.json for run 2)"), out());
        assertTrue(Files.isRegularFile(dir.resolve("out-2.json")), "second run's trace");
        assertFalse(Files.exists(dir.resolve("out-3.json")), "a warm-up run and the measured one");
    }

    @Test
    void aClusterRunPrintsOneLinePerWorkerNodeAndALocalRunNone() {
        Map<String, RunSummary.NodeWork> byNode = new LinkedHashMap<>();
        byNode.put("127.0.0.1:25521", new RunSummary.NodeWork(12, 0, 3 << 20, 1536 << 10));
        byNode.put("127.0.0.1:25522", new RunSummary.NodeWork(1, 1, 512, 0));
        assertEquals(List.of("  node 127.0.0.1:25521  12 tasks  0 retries  3.00 MiB in, 1.50 MiB back",
                "  node 127.0.0.1:25522  1 task  1 retry  512 B in, 0 B back"),
                RunCommand.nodeLines(new RunSummary(13, 0, 0, 0, 0, List.of(), byNode)));
        assertEquals(List.of(), RunCommand.nodeLines(new RunSummary(13, 0, 0, 0, 0, List.of())));
        assertEquals(List.of(), RunCommand.nodeLines(null), "no run finished");
    }

    @Test
    void aRunsTagCheckWarningsArePrintedOneALine() {
        RunSummary warned = new RunSummary(3, 0, 0, 0, 0, List.of(), Map.of(),
                List.of("task slot 4 on chip 0: callable 'acc' wrote tensor 1 of its args"));
        assertEquals(List.of("  warning      task slot 4 on chip 0: callable 'acc' wrote tensor 1 of its args"),
                RunCommand.warningLines(warned));
        assertEquals(List.of(), RunCommand.warningLines(new RunSummary(13, 0, 0, 0, 0, List.of())));
        assertEquals(List.of(), RunCommand.warningLines(null), "no run finished");
    }

    @Test
    void latenciesArePrintedToThreeDigitsInAUnitThatSuitsThem() {
        assertEquals("0 ns", RunCommand.micros(0));
        assertEquals("850 ns", RunCommand.micros(0.85));
        assertEquals("1.00 us", RunCommand.micros(0.9996));
        assertEquals("13.9 us", RunCommand.micros(13.9));
        assertEquals("1.34 s", RunCommand.micros(1_342_177.3), "the old CLI printed p50=1342177.3 us");
        assertEquals("1.00 ms", RunCommand.micros(999.7));
        assertEquals("250 ms", RunCommand.micros(250_000));
        assertEquals("3600 s", RunCommand.micros(3.6e9), "seconds are the largest unit");
    }

    @Test
    void reportAloneWritesNoTraceFile() throws Exception {
        Path report = dir.resolve("only.html");
        String file = write("report.conf", SMALL_NOOP_DAG.replace("[independent, chain, fan, group]", "[chain]"));
        assertEquals(Cli.OK, cli("run", file, "--report", report.toString()), err());
        assertTrue(Files.isRegularFile(report));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "only the run file and the report");
        }
    }

    @Test
    void unknownRunOptionExits2() throws Exception {
        assertEquals(Cli.BAD_CONFIGURATION, cli("run", write("noop.conf", SMALL_NOOP_DAG), "--tracing", "x.json"));
        assertTrue(err().contains("unknown option '--tracing'"), err());
    }

    @Test
    void traceWithoutFileExits2() throws Exception {
        assertEquals(Cli.BAD_CONFIGURATION, cli("run", write("noop.conf", SMALL_NOOP_DAG), "--trace"));
        assertTrue(err().contains("--trace needs a file name"), err());
    }

    @Test
    void reportIntoMissingDirectoryExits2() throws Exception {
        String missing = dir.resolve("no/such/dir/r.html").toString();
        assertEquals(Cli.BAD_CONFIGURATION, cli("run", write("noop.conf", SMALL_NOOP_DAG), "--report", missing));
        assertTrue(err().contains("does not exist"), err());
    }

    private int cli(String... args) {
        return new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content).toString();
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** The error is one "strata: ..." line containing {@code fragment}, plus at most cause lines: no stack trace. */
    private void assertOneLineError(String fragment) {
        String[] lines = err().split("\\R");
        assertTrue(lines[0].startsWith("strata: ") && lines[0].contains(fragment), err());
        for (int i = 1; i < lines.length; i++) {
            assertTrue(lines[i].startsWith("  caused by "), "not a one-line error:\n" + err());
        }
        assertFalse(err().contains("\tat "), "stack trace in:\n" + err());
    }
}
