package dev.strata.cluster;

import dev.strata.process.ClassByName;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorMemory;
import dev.strata.trace.RunTrace;

/**
 * How a worker node runs what one entity is sent: a chip entity's kernels, the way a single-node engine runs a chip
 * — in the node's JVM ({@link ThreadKernels}, THREAD mode, the default) or in a child JVM of the node
 * ({@link ProcessKernels}, when the node's own file says {@code strata.worker.mode = PROCESS}) —, or an engine
 * entity's orch fns on a level-3 engine of the node ({@link EngineKernels}, level 4). Either way what runs is made on
 * the node by class name, and a class the node cannot make fails the task naming the class and the node.
 */
public interface NodeKernels extends AutoCloseable {
    /**
     * What runs {@code run}'s task on node-local addresses (in {@link #memory()}); made (or its child JVM or engine
     * started) on first use. Called for one task at a time.
     *
     * @throws IllegalArgumentException naming the kernel, its class and this node if the class cannot be made here
     */
    Kernel kernel(ChipEntity.Run run);

    /**
     * The memory a task's tensors must be copied into before {@link #kernel}'s runner runs it: the node's own, or
     * the engine's (valid once {@link #kernel} returned).
     */
    TensorMemory memory();

    /** What the entity is, for failure reports: {@code chip} or {@code engine}. */
    default String what() {
        return "chip";
    }

    /** Ends the threads, child JVMs or engines the kernels use; any thread, idempotent. */
    @Override
    void close();

    /** One kernel (or orch fn) of an entity, ready to run on node-local args. */
    @FunctionalInterface
    interface Kernel {
        /**
         * Runs one task or group member; throws what the kernel (or its child JVM, or the engine's run) failed with.
         *
         * @return the trace of the run below, on the common clock ({@link CommonClock}), when an engine ran it; null
         *         for a chip kernel
         */
        RunTrace run(TaskArgsView args, CallConfig config, int groupIndex) throws Exception;
    }

    /**
     * Makes kernel {@code className} on the node at {@code node}: the loadability check of every node mode.
     *
     * @throws IllegalArgumentException naming the kernel, its class and the node, and saying how to fix it
     */
    static ChipKernel make(String callableName, String className, String node) {
        try {
            return ClassByName.construct(className, ChipKernel.class);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("chip kernel '" + callableName + "' (class " + className
                    + ") cannot be made on worker node " + node + ": " + e.getMessage() + ". Put the kernel's"
                    + " classes on the node's class path (java -cp strata-node.jar:<your classes> ...)", e);
        }
    }
}
