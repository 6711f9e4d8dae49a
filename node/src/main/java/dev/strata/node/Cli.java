package dev.strata.node;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.LoggerFactory;

/**
 * The command line: picks the sub-command and returns the process exit code, {@link #OK},
 * {@link #JOB_FAILED} or {@link #BAD_CONFIGURATION}. It never calls {@code System.exit}.
 */
public final class Cli {
    /** The command did what it was asked and every check passed. */
    public static final int OK = 0;
    /** The job ran but failed: a task threw, the heap ring ran out, or the result did not verify. */
    public static final int JOB_FAILED = 1;
    /** Bad usage or configuration: nothing was run. */
    public static final int BAD_CONFIGURATION = 2;

    static {
        // Initialise logging before the engine starts threads that log; otherwise SLF4J intercepts their first
        // calls during its own initialisation and prints a "replayed" warning.
        LoggerFactory.getILoggerFactory();
    }

    private final PrintStream out;
    private final PrintStream err;

    /** A command line that prints results to {@code out} and errors to {@code err}. */
    public Cli(PrintStream out, PrintStream err) {
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
    }

    /** Runs the command named by {@code args[0]} with the remaining arguments; returns the exit code. */
    public int run(String... args) {
        if (args.length == 0) {
            err.println("strata: missing command");
            printUsage(err);
            return BAD_CONFIGURATION;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "run":
                return new RunCommand(out, err).run(rest);
            case "node":
                return new NodeCommand(err).run(rest);
            // Further sub-commands (e.g. "bench") are dispatched here, each a class with int run(String[]).
            case "help":
            case "-h":
            case "--help":
                printUsage(out);
                return OK;
            default:
                err.println("strata: unknown command '" + args[0] + "'");
                printUsage(err);
                return BAD_CONFIGURATION;
        }
    }

    static void printUsage(PrintStream to) {
        to.println("usage: strata <command> [arguments]");
        to.println();
        to.println("commands:");
        to.println("  run <file.conf> [--trace out.json] [--report report.html]");
        to.println("                    run the job described by a HOCON run file (strata.worker + strata.job),");
        to.println("                    e.g. config/examples/tiled-cholesky.conf or config/examples/noop-dag.conf;");
        to.println("                    --trace writes each run's Chrome-trace JSON (Perfetto), --report an HTML");
        to.println("                    run report of the last run");
        to.println("  node <node.conf>  run a worker node of a Strata cluster (docs/cluster.md): join the cluster");
        to.println("                    named by pekko.cluster.seed-nodes with role worker and serve until SIGTERM,");
        to.println("                    then leave it and exit 0; system properties override the file,");
        to.println("                    e.g. config/cluster/worker-1.conf");
        to.println("  help              print this message");
        to.println();
        to.println("exit codes: 0 success, 1 job failed, 2 bad usage or configuration");
    }
}
