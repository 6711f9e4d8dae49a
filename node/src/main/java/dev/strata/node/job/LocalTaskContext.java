package dev.strata.node.job;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorMemory;

/**
 * What a kernel is handed when it is called directly, without an engine: one block of one call.
 *
 * @param groupIndex 0 for a single task
 * @param blockIndex 0..config.blockDim()-1
 */
public record LocalTaskContext(TaskArgsView args, CallConfig config, TensorMemory memory, int groupIndex,
                               int blockIndex) implements TaskContext {

    public LocalTaskContext {
        if (blockIndex < 0 || blockIndex >= config.blockDim()) {
            throw new IllegalArgumentException("block " + blockIndex + " out of 0.." + (config.blockDim() - 1));
        }
    }
}
