package dev.strata.protocol;

/** The callable/args contract every worker kind executes against (the seed's {@code IWorker}). */
public interface TaskWorker {
    /** Called once per dispatched task (or group member); {@code callable} is interpreted by the worker kind. */
    void run(long callable, TaskArgsView args, CallConfig config) throws Exception;
}
