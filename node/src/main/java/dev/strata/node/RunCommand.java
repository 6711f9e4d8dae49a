package dev.strata.node;

import com.typesafe.config.ConfigException;
import dev.strata.config.InvalidSettingException;
import dev.strata.scheduler.HeapExhaustedException;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * {@code run <file.conf>}: loads the run file, builds its job and an engine from {@code strata.worker},
 * runs the job and maps the outcome to an exit code. Configuration errors are reported as one line naming
 * the file or key; they never reach the user as a stack trace.
 */
final class RunCommand {
    private final PrintStream out;
    private final PrintStream err;

    RunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        if (args.length != 1) {
            err.println("strata: 'run' takes exactly one argument, the run file");
            Cli.printUsage(err);
            return Cli.BAD_CONFIGURATION;
        }
        Job job;
        RunFile runFile;
        try {
            runFile = RunFile.load(path(args[0]));
            job = JobKind.createJob(runFile);
        } catch (RunFileException | InvalidSettingException | ConfigException e) {
            return badConfiguration(e);
        }
        try (Worker worker = Worker.fromConfig(runFile.config())) {
            job.register(worker);
            worker.init();
            job.run(worker, out);
            return Cli.OK;
        } catch (InvalidSettingException | ConfigException e) {
            return badConfiguration(e);
        } catch (TaskFailedException | HeapExhaustedException | JobFailedException e) {
            err.println("strata: job failed: " + message(e));
            printCauses(e);
            return Cli.JOB_FAILED;
        } catch (Exception e) {
            err.println("strata: job failed with an unexpected error: " + message(e));
            e.printStackTrace(err);
            return Cli.JOB_FAILED;
        }
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
