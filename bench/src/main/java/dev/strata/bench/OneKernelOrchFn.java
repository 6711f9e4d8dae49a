package dev.strata.bench;

import static dev.strata.protocol.TensorArgType.INOUT;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import dev.strata.scheduler.OrchFn;
import dev.strata.scheduler.Orchestrator;

/**
 * The level-3 orch fn of the level-4 scenarios: submits one chip task, kernel id scalar 0, on tensor 0, and nothing
 * else, so a level-4 task carries the smallest level-3 run there is. A public class with a public no-arg constructor:
 * a worker node makes it by class name for its engines.
 */
public final class OneKernelOrchFn implements OrchFn {
    @Override
    public void run(Orchestrator orch, TaskArgsView args, CallConfig config) {
        orch.submitNextLevel(args.scalar(0), new TaskArgs().addTensor(args.tensor(0), INOUT), config);
    }
}
