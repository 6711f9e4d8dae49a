package dev.strata.node;

import dev.strata.scheduler.RunProgress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line's live progress: a daemon thread that, once a run has lasted {@code delay}, shows the
 * engine's {@link RunProgress} every {@code period} — as one line rewritten in place ({@code \r}) on a
 * terminal, as a plain log line otherwise. Runs shorter than the delay print nothing.
 */
final class ProgressDisplay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressDisplay.class);

    private final Supplier<RunProgress> progress;
    private final PrintStream err;
    private final boolean terminal;
    private final ScheduledExecutorService timer;
    private int width; // of the last in-place line, so a shorter one blanks it out
    private boolean shown;

    private ProgressDisplay(Supplier<RunProgress> progress, PrintStream err, boolean terminal) {
        this.progress = progress;
        this.err = err;
        this.terminal = terminal;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "strata-progress");
            thread.setDaemon(true);
            return thread;
        });
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer = t;
    }

    /** Starts showing {@code progress} on {@code err} (in place when {@code terminal}) after {@code delay}. */
    static ProgressDisplay start(Supplier<RunProgress> progress, PrintStream err, boolean terminal, Duration delay,
                                 Duration period) {
        ProgressDisplay d = new ProgressDisplay(progress, err, terminal);
        d.timer.scheduleAtFixedRate(d::tick, delay.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return d;
    }

    /** The one-line description of {@code p}. */
    static String line(RunProgress p) {
        return String.format(Locale.ROOT, "%d/%d tasks done, %d running, %d failed, %d skipped, %.1f k tasks/s, %.1f s",
                p.done(), p.submitted(), p.running(), p.failed(), p.skipped(), p.tasksPerSecond() / 1e3,
                p.elapsed().toNanos() / 1e9);
    }

    private synchronized void tick() {
        RunProgress p = progress.get();
        if (!p.active()) {
            return; // between runs (or in a job's own sequential part): nothing to show
        }
        String line = "strata: " + line(p);
        if (terminal) {
            err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
            err.flush();
            width = line.length();
        } else {
            LOG.info(line);
        }
        shown = true;
    }

    /** Stops the display and waits for its thread; ends an in-place line. Idempotent. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (terminal && shown) {
                err.println();
                shown = false;
            }
        }
    }

    /** True once something was shown (for tests). */
    synchronized boolean shown() {
        return shown;
    }
}
