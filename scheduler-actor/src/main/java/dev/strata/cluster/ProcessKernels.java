package dev.strata.cluster;

import dev.strata.config.ProcessSettings;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.process.ChipProcess;
import dev.strata.process.ClassByName;
import dev.strata.process.RoundTripStats;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;
import java.util.ArrayList;
import java.util.List;

/**
 * PROCESS mode on a node ({@code strata.worker.mode = PROCESS} in the node's own file): a chip entity's kernels run
 * in one child JVM of the node, a {@link ChipProcess} exactly as a single-node engine's PROCESS-mode chip, on the
 * node's own tensor memory (the child maps its file). The child starts at the entity's first task, not before.
 *
 * <p>The child's kernel table is the head's ({@link ChipEntity.Run#kernelClasses()}, index = callable id), so one
 * child serves every kernel of the head. A class the node cannot make takes the place of {@link NotOnThisNode} in
 * the table, and a task of it fails with {@link NodeKernels#make}'s error naming the class and the node, as in
 * THREAD mode, while the other kernels run. A task whose class the child lacks (another head, another table)
 * replaces the child by one with the new table. A child that dies fails its task; the next task starts a fresh one.
 */
public final class ProcessKernels implements NodeKernels {
    private final int chipIndex;
    private final String node;
    private final SharedTensorMemory memory;
    private final int chipThreads;
    private final ProcessSettings settings;
    private final RoundTripStats roundTrips;
    // Guarded by this. The child's table (index = callable id; null: a class not made here) and its proxy.
    private List<String> table;
    private ChipProcess process;
    private boolean closed;

    /**
     * Chip {@code chipIndex} of the node at {@code node}: children map {@code memory} (so its file must stay linked
     * while this runs), use {@code chipThreads} block threads, start and are watched by {@code settings}
     * ({@code strata.worker.process}) and record their round trips in {@code roundTrips}.
     */
    public ProcessKernels(int chipIndex, String node, SharedTensorMemory memory, int chipThreads, ProcessSettings settings,
                   RoundTripStats roundTrips) {
        this.chipIndex = chipIndex;
        this.node = node;
        this.memory = memory;
        this.chipThreads = chipThreads;
        this.settings = settings;
        this.roundTrips = roundTrips;
    }

    /**
     * Stands in the child's table for a kernel class this node cannot make, so that the child can start and run the
     * head's other kernels; never run (the node fails such a task before it reaches the child).
     */
    public static final class NotOnThisNode implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            throw new IllegalStateException("this kernel's class cannot be made on this worker node");
        }
    }

    @Override
    public Kernel kernel(ChipEntity.Run run) {
        return kernel(run.callableName(), run.kernelClass(), run.kernelClasses());
    }

    /** Kernel {@code className} (registered as {@code callableName}) in the child, started with {@code headClasses}. */
    synchronized Kernel kernel(String callableName, String className, List<String> headClasses) {
        if (closed) {
            throw new IllegalStateException("chip " + chipIndex + " on worker node " + node + " is stopping");
        }
        int callable = table == null ? -1 : table.indexOf(className);
        if (callable < 0) {
            NodeKernels.make(callableName, className, node); // this task's class first: the child stays if not
            replaceChild(headClasses);
            callable = table.indexOf(className);
            if (callable < 0) { // made a moment ago, not now: its constructor is not reliable
                NodeKernels.make(callableName, className, node);
                throw new IllegalStateException("chip kernel '" + callableName + "' (class " + className
                        + ") was made once on worker node " + node + " and then could not be made");
            }
        }
        ChipProcess p = process;
        long id = callable;
        return Kernel.on(memory, (args, config, groupIndex) -> p.run(id, args, config, groupIndex));
    }

    /** The running child's pid, or -1 when none runs (none started yet, or it died and no task came since). */
    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Stops the child (asked, then killed after a grace period) and removes its files; any thread, idempotent. */
    @Override
    public void close() {
        ChipProcess p;
        synchronized (this) {
            closed = true;
            p = process;
            process = null;
        }
        if (p != null) {
            p.close(); // outside the lock: it may wait for a running task's child to end
        }
    }

    /** A proxy whose child will have {@code headClasses} (the classes made here; the others stand-ins). */
    private void replaceChild(List<String> headClasses) {
        List<String> classes = new ArrayList<>(headClasses.size());
        List<ChipKernel> kernels = new ArrayList<>(headClasses.size());
        for (String c : headClasses) {
            ChipKernel k = makeOrNull(c);
            classes.add(k == null ? null : c);
            kernels.add(k == null ? new NotOnThisNode() : k);
        }
        if (process != null) {
            process.close();
        }
        // Names for the child's messages: the class names (the head names the callable in its own report).
        List<String> names = new ArrayList<>(headClasses);
        process = new ChipProcess(chipIndex, names, kernels, memory, chipThreads, settings, roundTrips);
        table = classes;
    }

    private static ChipKernel makeOrNull(String className) {
        try {
            return ClassByName.construct(className, ChipKernel.class);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
