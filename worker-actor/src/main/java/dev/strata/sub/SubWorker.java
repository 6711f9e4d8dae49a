package dev.strata.sub;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.SubCallable;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorMemory;
import dev.strata.worker.GroupTaskWorker;
import dev.strata.worker.RunningTask;
import java.util.List;

/**
 * A sub worker: runs registered {@link SubCallable}s; the callable id is the registry index (the seed's
 * {@code DistSubWorker} reads the low 32 bits of the callable).
 */
public final class SubWorker implements GroupTaskWorker {
    private final SubCallable[] registry;
    private final TensorMemory memory;

    /** A sub worker over the registry (index = callable id) and the node's memory. */
    public SubWorker(List<SubCallable> registry, TensorMemory memory) {
        this.registry = registry.toArray(new SubCallable[0]);
        this.memory = memory;
    }

    @Override
    public void run(long callable, TaskArgsView args, CallConfig config, int groupIndex) throws Exception {
        if (callable < 0 || callable >= registry.length) {
            throw new IllegalArgumentException("unknown sub callable id " + callable + " (registered: "
                    + registry.length + ")");
        }
        registry[(int) callable].call(new RunningTask(args, config, memory, groupIndex, 0));
    }
}
