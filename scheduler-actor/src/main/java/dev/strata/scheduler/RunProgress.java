package dev.strata.scheduler;

import java.time.Duration;

/**
 * A snapshot of a run's progress, from {@link Worker#progress()}: counts of tasks (a group counts once) as the
 * scheduler last published them. During a run {@code elapsed} grows; between runs the snapshot describes the
 * last run ({@code active == false}).
 *
 * @param submitted tasks the scheduler has received
 * @param running   tasks dispatched to workers and not finished (running there, or queued behind another)
 * @param done      tasks that ran and succeeded
 * @param failed    tasks with a failed member
 * @param skipped   tasks that did not run because a producer failed
 * @param elapsed   time since the run started (its wall time once it ended)
 * @param active    true while a run is in progress
 */
public record RunProgress(long submitted, long running, long done, long failed, long skipped, Duration elapsed,
                          boolean active) {

    /** Nothing has run yet. */
    public static final RunProgress NONE = new RunProgress(0, 0, 0, 0, 0, Duration.ZERO, false);

    /** Tasks that reached an end: done, failed or skipped. */
    public long finished() {
        return done + failed + skipped;
    }

    /** Finished tasks per second over {@link #elapsed()}, 0 before any time has passed. */
    public double tasksPerSecond() {
        long nanos = elapsed.toNanos();
        return nanos <= 0 ? 0 : finished() * 1e9 / nanos;
    }
}
