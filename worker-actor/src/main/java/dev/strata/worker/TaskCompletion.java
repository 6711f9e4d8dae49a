package dev.strata.worker;

/**
 * How a {@link PipelinedWorker}'s task gets back to its worker's thread and reports its end.
 */
public interface TaskCompletion {
    /** Runs {@code step} later on the worker's own thread, after what is queued there now; any thread may call. */
    void onWorkerThread(Runnable step);

    /**
     * The task ended: {@code error} is null on success, else the failure its dispatch reports. Called once, on the
     * worker's own thread, after the task's results are in memory.
     */
    void done(Throwable error);

    /**
     * As {@link #done(Throwable)}, with the tag checker's {@code warning} about the task (null: none) for the run
     * summary. Called instead of it, once.
     */
    default void done(Throwable error, String warning) {
        done(error);
    }
}
