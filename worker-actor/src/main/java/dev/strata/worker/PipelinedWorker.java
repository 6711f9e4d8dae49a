package dev.strata.worker;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsView;

/**
 * A worker whose tasks end later than they start, so that one worker keeps several tasks in flight without a
 * thread waiting for each (a remote chip: a task is a message to a node and an answer from it). Its
 * {@link WorkerActor} starts each dispatch with {@link #start} as it arrives, calls {@link #flush()} when no
 * dispatch waits in its mailbox any more, and runs the steps the worker hands back through the
 * {@link TaskCompletion} on its own thread (the dedicated user-code dispatcher, never the default one), until the
 * task reports its end. A dispatch queued behind producers on the same worker ({@link WorkerDispatch#after()})
 * is started only once those have ended, and skipped if one of them failed.
 */
public interface PipelinedWorker extends GroupTaskWorker {
    /**
     * Starts one task or group member without waiting for it; called on the worker actor's thread. The task ends
     * by exactly one call of {@code completion.done}, from a step run through {@code completion.onWorkerThread}
     * (or from here). A start may hold back what it would send until {@link #flush()}.
     *
     * @throws Exception when the task cannot start at all (it fails at once)
     */
    void start(long callable, TaskArgsView args, CallConfig config, int groupIndex, TaskCompletion completion)
            throws Exception;

    /** Sends whatever the starts since the last flush held back; called on the worker actor's thread. */
    void flush();
}
