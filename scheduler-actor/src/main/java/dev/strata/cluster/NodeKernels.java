package dev.strata.cluster;

import dev.strata.process.ClassByName;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskArgsView;
import java.util.List;

/**
 * How a worker node runs the kernels of one chip entity, the way a single-node engine runs a chip: in the node's
 * JVM ({@link ThreadKernels}, THREAD mode, the default) or in a child JVM of the node ({@link ProcessKernels}, when
 * the node's own file says {@code strata.worker.mode = PROCESS}). Either way kernels are made on the node by class
 * name, and a class the node cannot make fails the task with {@link #make}'s error.
 */
public interface NodeKernels extends AutoCloseable {
    /**
     * The kernel of class {@code className}, ready to run a task on node-local addresses; made (or its child
     * JVM started) on first use. Called for one task at a time.
     *
     * @param callableName the kernel's registered name on the head (for errors)
     * @param headClasses  the head's chip kernel classes, index = callable id; holds {@code className}
     * @throws IllegalArgumentException naming the kernel, its class and this node if the class cannot be made here
     */
    Kernel kernel(String callableName, String className, List<String> headClasses);

    /** Ends the threads or child JVMs the kernels use; any thread, idempotent. */
    @Override
    void close();

    /** One kernel of a chip entity, ready to run on node-local args. */
    @FunctionalInterface
    interface Kernel {
        /** Runs one task or group member; throws what the kernel (or its child JVM) failed with. */
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
