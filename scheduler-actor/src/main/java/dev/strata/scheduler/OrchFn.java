package dev.strata.scheduler;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsView;

/** A user's orchestration function: submits tasks through {@code orch}; runs on the thread that called run. */
@FunctionalInterface
public interface OrchFn {
    /** Called once per {@link Worker#run}; throwing fails the run after what was submitted has drained. */
    void run(Orchestrator orch, TaskArgsView args, CallConfig config) throws Exception;
}
