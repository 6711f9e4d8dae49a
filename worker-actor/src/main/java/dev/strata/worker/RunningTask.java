package dev.strata.worker;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorMemory;

/** The {@link TaskContext} handed to a running callable or kernel block. */
public record RunningTask(TaskArgsView args, CallConfig config, TensorMemory memory, int groupIndex,
                          int blockIndex) implements TaskContext {
}
