package dev.strata.trace;

import static dev.strata.protocol.TensorArgType.INOUT;
import static dev.strata.protocol.TensorArgType.INPUT;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.util.List;

/**
 * A small DAG with a known shape, for trace and report tests: a diamond (step -> two steps -> join) and then
 * a group of two steps reading the join's output. Six members run; six producer-member to consumer-member
 * edges; the critical path has four tasks.
 */
final class KnownDag {
    static final int MEMBERS = 6;
    static final int EDGES = 6;
    static final int CRITICAL_TASKS = 4;

    final int step;
    final int join;

    /** Registers the two callables on {@code w} (before init): {@code sub#0} and {@code sub#1}. */
    KnownDag(Worker w) {
        step = w.register(ctx -> { });
        join = w.register(ctx -> { });
    }

    Task task(Worker w) {
        ContinuousTensor x = w.memory().allocate(DataType.FLOAT32, 4);
        ContinuousTensor y = w.memory().allocate(DataType.FLOAT32, 4);
        ContinuousTensor z = w.memory().allocate(DataType.FLOAT32, 4);
        ContinuousTensor out = w.memory().allocate(DataType.FLOAT32, 4);
        return Task.of((orch, args, cfg) -> {
            orch.submitSub(step, new TaskArgs().addTensor(x, INOUT));
            orch.submitSub(step, new TaskArgs().addTensor(x, INPUT).addTensor(y, INOUT));
            orch.submitSub(step, new TaskArgs().addTensor(x, INPUT).addTensor(z, INOUT));
            orch.submitSub(join, new TaskArgs().addTensor(y, INPUT).addTensor(z, INPUT).addTensor(out, INOUT));
            orch.submitSubGroup(step, List.of(new TaskArgs().addTensor(out, INPUT),
                    new TaskArgs().addTensor(out, INPUT)));
        });
    }
}
