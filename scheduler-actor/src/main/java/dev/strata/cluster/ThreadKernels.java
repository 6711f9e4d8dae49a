package dev.strata.cluster;

import dev.strata.chip.ChipWorker;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TensorMemory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * THREAD mode on a node: a chip entity's kernels run in the node's JVM, each made by class name once and kept in a
 * {@link ChipWorker} of its own (which keeps the kernel instance and the block threads of multi-block calls).
 */
public final class ThreadKernels implements NodeKernels {
    private final int chipIndex;
    private final String node;
    private final TensorMemory memory;
    private final int chipThreads;
    private final Map<String, ChipWorker> byClass = new ConcurrentHashMap<>();

    /** Chip {@code chipIndex} of the node at {@code node}, on {@code memory}, {@code chipThreads} block threads. */
    public ThreadKernels(int chipIndex, String node, TensorMemory memory, int chipThreads) {
        this.chipIndex = chipIndex;
        this.node = node;
        this.memory = memory;
        this.chipThreads = chipThreads;
    }

    @Override
    public Kernel kernel(ChipEntity.Run run) {
        return kernel(run.callableName(), run.kernelClass(), run.kernelClasses());
    }

    /** Kernel {@code className} (registered as {@code callableName}), made at its first task. */
    Kernel kernel(String callableName, String className, List<String> headClasses) {
        ChipWorker chip = byClass.get(className);
        if (chip == null) {
            ChipKernel kernel = NodeKernels.make(callableName, className, node);
            chip = byClass.computeIfAbsent(className, c -> new ChipWorker(chipIndex, List.of(kernel), memory,
                    chipThreads));
        }
        ChipWorker worker = chip;
        return Kernel.on(memory, (args, config, groupIndex) -> worker.run(0, args, config, groupIndex));
    }

    @Override
    public void close() {
        byClass.values().forEach(ChipWorker::close);
    }
}
