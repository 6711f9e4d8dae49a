package dev.strata.node.matmul;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.scheduler.Orchestrator;
import dev.strata.scheduler.SubmitResult;
import java.util.ArrayList;
import java.util.List;

/** An orchestrator that only records what an orch fn submits to the next level, to test its plan without an engine. */
final class RecordingOrchestrator implements Orchestrator {
    /** One submit: a single task is a group of one. */
    record Submit(long callable, List<TaskArgs> members, CallConfig config) {
    }

    final List<Submit> submits = new ArrayList<>();

    @Override
    public SubmitResult submitNextLevel(long callable, TaskArgs args, CallConfig config) {
        submits.add(new Submit(callable, List.of(args), config));
        return new SubmitResult(submits.size() - 1);
    }

    @Override
    public SubmitResult submitNextLevelGroup(long callable, List<TaskArgs> argsList, CallConfig config) {
        submits.add(new Submit(callable, List.copyOf(argsList), config));
        return new SubmitResult(submits.size() - 1);
    }

    @Override
    public SubmitResult submitSub(int callableId) {
        throw new UnsupportedOperationException("no sub tasks in this job");
    }

    @Override
    public SubmitResult submitSub(int callableId, TaskArgs args) {
        throw new UnsupportedOperationException("no sub tasks in this job");
    }

    @Override
    public SubmitResult submitSubGroup(int callableId, List<TaskArgs> argsList) {
        throw new UnsupportedOperationException("no sub tasks in this job");
    }

    @Override
    public ContinuousTensor alloc(DataType dtype, int... shape) {
        throw new UnsupportedOperationException("nothing allocated in this job");
    }

    @Override
    public void scopeBegin() {
        throw new UnsupportedOperationException("no scopes in this job");
    }

    @Override
    public void scopeEnd() {
        throw new UnsupportedOperationException("no scopes in this job");
    }
}
