package dev.strata.scheduler;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgs;
import java.util.Objects;

/**
 * What {@link Worker#run} executes: an orchestration function with its own args and config.
 *
 * @param orch   the orchestration function
 * @param args   arguments handed to it (as a view)
 * @param config configuration handed to it
 */
public record Task(OrchFn orch, TaskArgs args, CallConfig config) {
    public Task {
        Objects.requireNonNull(orch, "orch fn must not be null");
        Objects.requireNonNull(args, "args must not be null");
        Objects.requireNonNull(config, "config must not be null");
    }

    /** A task with empty args and {@link CallConfig#DEFAULT}. */
    public static Task of(OrchFn orch) {
        return new Task(orch, new TaskArgs(), CallConfig.DEFAULT);
    }

    /** A task with the given args and {@link CallConfig#DEFAULT}. */
    public static Task of(OrchFn orch, TaskArgs args) {
        return new Task(orch, args, CallConfig.DEFAULT);
    }
}
