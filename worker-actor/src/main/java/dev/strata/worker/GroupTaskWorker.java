package dev.strata.worker;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskWorker;

/**
 * A {@link TaskWorker} that also learns which group member it runs; the seed's contract has no group
 * index, but {@code TaskContext.groupIndex()} does.
 */
public interface GroupTaskWorker extends TaskWorker {
    /** Runs one task or group member; called on the worker's dedicated thread. */
    void run(long callable, TaskArgsView args, CallConfig config, int groupIndex) throws Exception;

    @Override
    default void run(long callable, TaskArgsView args, CallConfig config) throws Exception {
        run(callable, args, config, 0);
    }

    /**
     * The warning the task this worker just ran left (the tag checker's: it wrote a NO_DEP tensor), or null; taken
     * once. Called by the worker actor on its own thread right after {@link #run} returned, for its {@link TaskDone}.
     */
    default String takeWarning() {
        return null;
    }

    /**
     * Holds this worker's thread for {@code millis} before a task, as a slow callable would (a test's injected
     * delay); stopped like the worker's tasks are when the engine closes. Called on the worker's dedicated thread.
     */
    default void hold(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    /** Releases threads or processes the worker owns; called once when its actor stops. */
    default void close() {
    }
}
