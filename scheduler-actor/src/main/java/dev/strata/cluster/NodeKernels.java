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
     * What runs {@code run}'s task on node-local addresses in its {@link Kernel#memory() memory}; made (or its child
     * JVM or engine started) on first use. Each kernel returned is {@link Kernel#release() released} once, when the
     * task's copies are freed.
     *
     * @throws IllegalArgumentException naming the kernel, its class and this node if the class cannot be made here
     */
    Kernel kernel(ChipEntity.Run run);

    /** What the entity is, for failure reports: {@code chip} or {@code engine}. */
    default String what() {
        return "chip";
    }

    /** Ends the threads, child JVMs or engines the kernels use; any thread, idempotent. */
    @Override
    void close();

    /** One kernel (or orch fn) of an entity, ready to run one task on node-local args. */
    interface Kernel {
        /**
         * Runs the task or group member; throws what the kernel (or its child JVM, or the engine's run) failed with.
         *
         * @return the trace of the run below, on the common clock ({@link CommonClock}), when an engine ran it; null
         *         for a chip kernel
         */
        RunTrace run(TaskArgsView args, CallConfig config, int groupIndex) throws Exception;

        /** The memory the task's tensors are copied into first: the node's own, or the engine's. */
        TensorMemory memory();

        /**
         * After {@link #run}: the tag checker's warnings of the run below (an engine's level-3 tasks that wrote a
         * NO_DEP tensor), joined into one line; null for a chip kernel or when there were none.
         */
        default String warningBelow() {
            return null;
        }

        /** The task's copies are freed: what the kernel holds for it may go (an engine replaced meanwhile closes). */
        default void release() {
        }

        /** A chip kernel running {@code body} on {@code memory}, with nothing to release. */
        static Kernel on(TensorMemory memory, Body body) {
            return new Kernel() {
                @Override
                public RunTrace run(TaskArgsView args, CallConfig config, int groupIndex) throws Exception {
                    body.run(args, config, groupIndex);
                    return null;
                }

                @Override
                public TensorMemory memory() {
                    return memory;
                }
            };
        }
    }

    /** What a chip kernel does with one task (see {@link Kernel#on}). */
    @FunctionalInterface
    interface Body {
        void run(TaskArgsView args, CallConfig config, int groupIndex) throws Exception;
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
