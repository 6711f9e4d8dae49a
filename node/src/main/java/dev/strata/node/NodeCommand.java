package dev.strata.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.strata.workernode.WorkerNode;
import dev.strata.config.InvalidSettingException;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code node <node.conf>}: runs a worker node (docs/cluster.md) until SIGTERM (or SIGINT), then leaves the
 * cluster gracefully and exits 0. System properties override the file, the file overrides the defaults. A bad file
 * exits 2 naming the key; a node stopped by the cluster itself (downed) exits 1.
 */
final class NodeCommand {
    private static final Logger LOG = LoggerFactory.getLogger(NodeCommand.class);
    /** How long a node asked to stop may take to leave the cluster before the process ends anyway. */
    static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(15);

    private final PrintStream err;

    NodeCommand(PrintStream err) {
        this.err = err;
    }

    /**
     * A node file's configuration: system properties over the file over {@code ConfigFactory.load()}, resolved,
     * as Typesafe Config orders them for an application.
     */
    static Config load(Path file) throws RunFileException {
        RunFile parsed = RunFile.load(file);
        try {
            return ConfigFactory.defaultOverrides().withFallback(parsed.file()).withFallback(ConfigFactory.load())
                    .resolve();
        } catch (ConfigException e) {
            throw new RunFileException("cannot resolve node file " + file + ": " + e.getMessage(), e);
        }
    }

    int run(String[] args) {
        if (args.length != 1 || args[0].startsWith("-")) {
            err.println("strata: 'node' takes exactly one argument, the node file");
            Cli.printUsage(err);
            return Cli.BAD_CONFIGURATION;
        }
        WorkerNode node;
        try {
            node = WorkerNode.start(load(path(args[0])));
        } catch (RunFileException | InvalidSettingException | ConfigException e) {
            err.println("strata: " + e.getMessage());
            return Cli.BAD_CONFIGURATION;
        } catch (RuntimeException e) {
            // E.g. the port is taken: the node cannot start, whatever the file says. One line, not a stack trace.
            err.println("strata: the worker node did not start: " + e);
            return Cli.JOB_FAILED;
        }
        // SIGTERM and SIGINT run the JVM's shutdown hooks: leave the cluster there, then end the process with 0
        // (the JVM would otherwise report the signal, 143 or 130, although the node stopped as asked).
        Thread leaveOnSignal = new Thread(() -> {
            boolean left = node.leave(LEAVE_TIMEOUT);
            if (left) {
                LOG.info("strata worker node {} left the cluster", node.address());
            } else {
                LOG.warn("strata worker node {} did not finish leaving within {}", node.address(), LEAVE_TIMEOUT);
            }
            Runtime.getRuntime().halt(left ? Cli.OK : Cli.JOB_FAILED);
        }, "strata-node-leave");
        try {
            Runtime.getRuntime().addShutdownHook(leaveOnSignal);
        } catch (IllegalStateException signalledWhileStarting) {
            leaveOnSignal.run(); // the signal came before the hook was in place: leave and end the process now
        }
        try {
            node.whenTerminated().toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // whenTerminated never fails; fall through to the exit code
        }
        try {
            Runtime.getRuntime().removeShutdownHook(leaveOnSignal);
        } catch (IllegalStateException shuttingDown) {
            return Cli.OK; // the hook leaves and ends the process
        }
        if (node.leaving()) {
            return Cli.OK;
        }
        err.println("strata: worker node " + node.address() + " was stopped by the cluster (downed or removed);"
                + " see the log above");
        return Cli.JOB_FAILED;
    }

    private static Path path(String arg) throws RunFileException {
        try {
            return Path.of(arg);
        } catch (InvalidPathException e) {
            throw new RunFileException("not a valid node file path: " + arg + " (" + e.getReason() + ")");
        }
    }
}
