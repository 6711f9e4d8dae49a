package dev.strata.node;

import dev.strata.node.job.JobFailedException;
import dev.strata.node.job.Job;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.strata.cluster.ClusterJoinException;
import dev.strata.config.InvalidSettingException;
import dev.strata.config.TraceSettings;
import dev.strata.scheduler.HeapExhaustedException;
import dev.strata.scheduler.RunSummary;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import dev.strata.metrics.EngineMetricsMBean;
import dev.strata.trace.RunReport;
import dev.strata.trace.RunTrace;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code run <file.conf> [--trace out.json] [--report report.html]}: loads the run file, builds its job and an engine from {@code strata.worker},
 * runs the job and maps the outcome to an exit code. Configuration errors are reported as one line naming
 * the file or key; they never reach the user as a stack trace.
 */
final class RunCommand {
    /** Runs shorter than this show no progress. */
    static final Duration PROGRESS_DELAY = Duration.ofSeconds(2);
    private static final Duration TERMINAL_PERIOD = Duration.ofMillis(500);
    private static final Duration LOG_PERIOD = Duration.ofSeconds(5);

    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private Path traceFile;
    private Path reportFile;

    RunCommand(PrintStream out, PrintStream err) {
        this(out, err, stderrIsTerminal());
    }

    /**
     * Whether stderr (where progress goes) is a terminal: on Linux from what fd 2 points at, elsewhere from
     * {@link System#console()} (which looks at stdin and stdout).
     */
    static boolean stderrIsTerminal() {
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    RunCommand(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    int run(String[] args) {
        String file = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--trace") || a.equals("--report")) {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new RunFileException(a + " needs a file name");
                    }
                    Path p = outputPath(a, args[++i]);
                    if (a.equals("--trace")) {
                        traceFile = p;
                    } else {
                        reportFile = p;
                    }
                } else if (a.startsWith("-")) {
                    throw new RunFileException("unknown option '" + a + "' for 'run'");
                } else if (file == null) {
                    file = a;
                } else {
                    throw new RunFileException("'run' takes exactly one argument, the run file");
                }
            }
            if (file == null) {
                throw new RunFileException("'run' takes exactly one argument, the run file");
            }
        } catch (RunFileException e) {
            err.println("strata: " + e.getMessage());
            Cli.printUsage(err);
            return Cli.BAD_CONFIGURATION;
        }
        Job job;
        RunFile runFile;
        Config config;
        try {
            runFile = RunFile.load(path(file));
            job = JobKind.createJob(runFile);
            config = withTraceFlags(runFile.config());
        } catch (RunFileException | InvalidSettingException | ConfigException e) {
            return badConfiguration(e);
        }
        try (Worker worker = Worker.fromConfig(config)) {
            job.register(worker);
            worker.init();
            try (ProgressDisplay progress = ProgressDisplay.start(worker::progress, err, terminal, PROGRESS_DELAY,
                    terminal ? TERMINAL_PERIOD : LOG_PERIOD)) {
                job.run(worker, out);
            } finally {
                writeReport(worker);
                printMetrics(worker); // a failed job's figures matter most
                nodeLines(worker.lastRun()).forEach(out::println);
                warningLines(worker.lastRun()).forEach(out::println);
            }
            return Cli.OK;
        } catch (InvalidSettingException | ConfigException e) {
            return badConfiguration(e);
        } catch (TaskFailedException | HeapExhaustedException | JobFailedException e) {
            err.println("strata: job failed: " + message(e));
            printCauses(e);
            return Cli.JOB_FAILED;
        } catch (ClusterJoinException e) {
            err.println("strata: cannot start the engine: " + message(e));
            return Cli.JOB_FAILED;
        } catch (OutOfMemoryError e) {
            // Thrown on this thread, so the engine is intact and the job's data is garbage by now: say what
            // did not fit instead of printing a stack trace.
            err.printf(Locale.ROOT, "strata: job failed: the job does not fit in the Java heap (max %d MiB):"
                    + " raise -Xmx or lower %s%n", Runtime.getRuntime().maxMemory() >> 20, job.sizeKey());
            return Cli.JOB_FAILED;
        } catch (Exception e) {
            err.println("strata: job failed with an unexpected error: " + message(e));
            e.printStackTrace(err);
            return Cli.JOB_FAILED;
        }
    }

    /** A --trace/--report file: a valid path in an existing directory, else bad usage. */
    private static Path outputPath(String flag, String arg) throws RunFileException {
        Path p;
        try {
            p = Paths.get(arg).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new RunFileException(flag + ": not a valid path: " + arg + " (" + e.getReason() + ")");
        }
        if (p.getParent() != null && !Files.isDirectory(p.getParent())) {
            throw new RunFileException(flag + ": directory " + p.getParent() + " does not exist");
        }
        if (Files.isDirectory(p)) {
            throw new RunFileException(flag + ": " + p + " is a directory, not a file");
        }
        return p;
    }

    /** --trace writes each run's trace to its file; --report alone traces in memory (no trace file). */
    private Config withTraceFlags(Config config) {
        Map<String, Object> flags = new HashMap<>();
        if (traceFile != null) {
            flags.put("strata.trace.enabled", true);
            flags.put("strata.trace.file", traceFile.toString());
        } else if (reportFile != null) {
            boolean fileTracing = config.hasPath("strata.trace.enabled") && config.getBoolean("strata.trace.enabled");
            flags.put("strata.trace.enabled", true);
            if (!fileTracing) {
                flags.put("strata.trace.file", "");
            }
        }
        return flags.isEmpty() ? config : ConfigFactory.parseMap(flags, "command-line flags").withFallback(config);
    }

    private void writeReport(Worker worker) {
        if (reportFile == null) {
            return;
        }
        RunTrace trace = worker.lastRunTrace();
        if (trace == null) {
            err.println("strata: no run finished, so no report was written to " + reportFile);
            return;
        }
        try {
            RunReport.write(reportFile, trace);
            out.println("  report       " + reportFile + " (run " + trace.run() + ")");
        } catch (IOException e) {
            err.println("strata: could not write the report to " + reportFile + ": " + e.getMessage());
        }
        if (traceFile != null) {
            out.println(traceLine(trace.run()));
        }
    }

    /** Where the traces went: run 1 in the --trace file, later runs beside it with their number. */
    private String traceLine(int runs) {
        TraceSettings files = TraceSettings.to(traceFile.toString());
        String later = switch (runs) {
            case 0, 1 -> "";
            case 2 -> " (and " + files.runFile(2).orElseThrow().getFileName() + " for run 2)";
            default -> " (and " + files.runFile(2).orElseThrow().getFileName() + " .. "
                    + files.runFile(runs).orElseThrow().getFileName() + " for runs 2 .. " + runs + ")";
        };
        return "  trace        " + traceFile + later;
    }

    private void printMetrics(Worker worker) {
        EngineMetricsMBean m = worker.metrics();
        out.printf(Locale.ROOT, "  metrics      runs=%d tasks completed=%d failed=%d skipped=%d early-dispatches=%d"
                        + " chip-process-restarts=%d%n", m.getRuns(), m.getTasksCompleted(), m.getTasksFailed(),
                m.getTasksSkipped(), m.getEarlyDispatches(), m.getChipProcessRestarts());
        out.printf(Locale.ROOT, "               last run: dispatch latency p50=%s p99=%s, task duration p50=%s p99=%s,"
                        + " heap high-water=%d B%n",
                micros(m.getLastRunDispatchLatencyP50Micros()), micros(m.getLastRunDispatchLatencyP99Micros()),
                micros(m.getLastRunTaskDurationP50Micros()), micros(m.getLastRunTaskDurationP99Micros()),
                m.getLastRunHeapHighWaterBytes());
        out.printf(Locale.ROOT, "               all runs: dispatch latency p50=%s p99=%s max=%s, task duration p50=%s"
                        + " p99=%s max=%s, back-pressure waits=%d%n",
                micros(m.getDispatchLatencyP50Micros()), micros(m.getDispatchLatencyP99Micros()),
                micros(m.getDispatchLatencyMaxMicros()), micros(m.getTaskDurationP50Micros()),
                micros(m.getTaskDurationP99Micros()), micros(m.getTaskDurationMaxMicros()), m.getBackPressureWaits());
        if (traceFile != null && reportFile == null) {
            RunTrace trace = worker.lastRunTrace();
            out.println(traceLine(trace == null ? 0 : trace.run()));
        }
    }

    /**
     * In cluster mode, one line per worker node of {@code last}, e.g.
     * {@code   node 127.0.0.1:25521  12 tasks  1 retry  3.00 MiB in, 1.50 MiB back}; none without cluster mode
     * or before a run finished.
     */
    static List<String> nodeLines(RunSummary last) {
        if (last == null) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        last.nodes().forEach((node, w) -> lines.add(String.format(Locale.ROOT, "  node %s  %d task%s  %d retr%s"
                + "  %s in, %s back", node, w.tasks(), w.tasks() == 1 ? "" : "s", w.retries(),
                w.retries() == 1 ? "y" : "ies", bytes(w.bytesToNode()), bytes(w.bytesFromNode()))));
        return lines;
    }

    /**
     * One line per warning of {@code last} (the tag checker's, {@code strata.check.tags}), e.g.
     * {@code   warning      task slot 4 on chip 0: callable 'acc' wrote tensor 1 ...}; none before a run finished.
     */
    static List<String> warningLines(RunSummary last) {
        return last == null ? List.of() : last.warnings().stream().map(w -> "  warning      " + w).toList();
    }

    /** A byte count for people: {@code 512 B}, {@code 3.00 KiB}, {@code 1.50 MiB}, {@code 2.00 GiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n / 1024.0;
        int unit = 0;
        while (unit < units.length - 1 && v >= 1024) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[unit]);
    }

    /**
     * A latency for people: three significant digits (the histograms' precision) in the unit that suits it,
     * e.g. {@code 850 ns}, {@code 13.9 us}, {@code 1.34 ms}, {@code 2.50 s}.
     */
    static String micros(double us) {
        double ns = us * 1e3;
        if (ns < 999.5) {
            return String.format(Locale.ROOT, "%.0f ns", ns);
        }
        String[] units = {"us", "ms", "s"};
        double v = us;
        int unit = 0;
        while (unit < units.length - 1 && v >= 999.5) {
            v /= 1e3;
            unit++;
        }
        String digits = v >= 99.95 ? "%.0f" : v >= 9.995 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, digits + " %s", v, units[unit]);
    }

    private static Path path(String arg) throws RunFileException {
        try {
            return Paths.get(arg);
        } catch (InvalidPathException e) {
            throw new RunFileException("not a valid run file path: " + arg + " (" + e.getReason() + ")");
        }
    }

    private int badConfiguration(Exception e) {
        err.println("strata: " + message(e));
        printCauses(e);
        return Cli.BAD_CONFIGURATION;
    }

    /** One line per cause below {@code e}, so the root of a failure is visible without a stack trace. */
    private void printCauses(Throwable e) {
        String previous = e.getMessage();
        int depth = 0;
        for (Throwable c = e.getCause(); c != null && c != e && depth < 8; c = c.getCause(), depth++) {
            String line = message(c);
            if (previous == null || !previous.contains(String.valueOf(c.getMessage()))) {
                err.println("  caused by " + c.getClass().getName() + ": " + line);
            }
            previous = c.getMessage();
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    }
}
