package dev.strata.scheduler;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import java.util.List;

/**
 * Submits tasks from inside an orchestration function. Valid only during the {@link Worker#run} that
 * handed it out, and only on that thread. Dependencies are inferred from the tensor tags at submit; an
 * OUTPUT tensor with data 0 is allocated from the heap ring and written back into the caller's args.
 */
public interface Orchestrator {
    /** Submits a task to the next level's workers (the chips of an L3 engine). */
    SubmitResult submitNextLevel(long callable, TaskArgs args, CallConfig config);

    /** Submits a group: one DAG node run by {@code argsList.size()} chips at once, member i with args i. */
    SubmitResult submitNextLevelGroup(long callable, List<TaskArgs> argsList, CallConfig config);

    /** Submits a sub callable with no args. */
    SubmitResult submitSub(int callableId);

    /** Submits a sub callable. */
    SubmitResult submitSub(int callableId, TaskArgs args);

    /** Submits a group of sub callable calls, one per sub worker. */
    SubmitResult submitSubGroup(int callableId, List<TaskArgs> argsList);

    /** A runtime-owned tensor from the heap ring, alive until the enclosing scope ends and its writers finish. */
    ContinuousTensor alloc(DataType dtype, int... shape);

    /** Opens a nested scope (depth at most 64 including the run's own). */
    void scopeBegin();

    /** Closes the innermost scope opened with {@link #scopeBegin()}; without one, IllegalStateException. */
    void scopeEnd();
}
