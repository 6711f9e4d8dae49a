package dev.strata.cluster;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.protocol.TensorMemory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a chip entity does on its worker node, without the actor: copies a task's shipped tensors into the node's
 * own tensor memory, runs the kernel (made by class name; in the node's JVM, or in a child JVM of the node in
 * PROCESS mode: {@link NodeKernels}) on node-local addresses as a single-node chip does, and answers with the bytes
 * of the tensors the kernel changed; then frees the copies.
 *
 * <p>Without the tags (dispatches carry none) the node cannot know which tensors a task may write, so it compares:
 * a tensor whose bytes are unchanged goes back to nobody, which is what the head needs — it already holds those
 * bytes — and keeps a reply no larger than its request. Tensors at one address share one copy.
 */
public final class NodeChip implements AutoCloseable {
    private final int chipIndex;
    private final String node;
    private final TensorMemory memory;
    private final AtomicLong tasksRun;
    // THREAD mode: one ChipWorker per kernel class in this JVM; PROCESS mode: one child JVM for them all.
    private final NodeKernels kernels;

    /**
     * Chip {@code chipIndex} on the node at {@code node} in THREAD mode, using {@code memory} (the node's own) and
     * {@code chipThreads} block threads per kernel; counts each task it runs in {@code tasksRun}.
     */
    public NodeChip(int chipIndex, String node, TensorMemory memory, int chipThreads, AtomicLong tasksRun) {
        this(chipIndex, node, memory, new ThreadKernels(chipIndex, node, memory, chipThreads), tasksRun);
    }

    /** The same chip whose kernels run as {@code kernels} says (THREAD or PROCESS mode); it closes them. */
    public NodeChip(int chipIndex, String node, TensorMemory memory, NodeKernels kernels, AtomicLong tasksRun) {
        this.chipIndex = chipIndex;
        this.node = node;
        this.memory = memory;
        this.kernels = kernels;
        this.tasksRun = tasksRun;
    }

    /** Runs one task; never throws: a failure (kernel, class, memory) is the answer's error, naming this node. */
    public ChipEntity.Ran run(ChipEntity.Run run) {
        List<ContinuousTensor> copies = new ArrayList<>(run.shipped().size());
        try {
            NodeKernels.Kernel chip = kernel(run);
            Map<Long, ContinuousTensor> local = new HashMap<>();
            for (int i = 0; i < run.shipped().size(); i++) {
                ContinuousTensor head = run.shipped().get(i);
                ContinuousTensor copy = memory.allocate(head.dtype(), head.shape());
                copies.add(copy);
                memory.bytes(copy).put(run.contents().get(i));
                local.put(head.data(), copy);
            }
            tasksRun.incrementAndGet();
            chip.run(localArgs(run.args(), local), run.config(), run.groupIndex());
            return changes(run, copies);
        } catch (Throwable t) {
            TaskError e = TaskError.of(t);
            String where = "chip " + chipIndex + " on worker node " + node;
            return new ChipEntity.Ran(node, null, null, new TaskError(e.exceptionClass(),
                    e.message() == null ? "(" + where + ")" : e.message() + " (" + where + ")", e.stack()));
        } finally {
            free(copies);
        }
    }

    /** Frees the task's copies; a memory already closed (the node is stopping) frees them all at once. */
    private void free(List<ContinuousTensor> copies) {
        try {
            for (ContinuousTensor c : copies) {
                memory.free(c);
            }
        } catch (IllegalStateException closed) {
            // the node's memory closed under a running task: nothing is left to free, and the answer must still go
        }
    }

    /** The runner of the task's kernel: made by class name on this node (or its child JVM started) at first use. */
    private NodeKernels.Kernel kernel(ChipEntity.Run run) {
        return kernels.kernel(run.callableName(), run.kernelClass(), run.kernelClasses());
    }

    /** The args with each tensor moved to its node-local copy (a tensor of address 0 stays "no tensor"). */
    private static TaskArgsSnapshot localArgs(TaskArgsSnapshot args, Map<Long, ContinuousTensor> local) {
        ContinuousTensor[] tensors = new ContinuousTensor[args.tensorCount()];
        for (int i = 0; i < tensors.length; i++) {
            ContinuousTensor t = args.tensor(i);
            ContinuousTensor copy = local.get(t.data());
            tensors[i] = copy == null ? t : t.withData(copy.data());
        }
        return new TaskArgsSnapshot(Arrays.asList(tensors), args.scalars());
    }

    private ChipEntity.Ran changes(ChipEntity.Run run, List<ContinuousTensor> copies) {
        int[] changed = new int[copies.size()];
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < copies.size(); i++) {
            ByteBuffer now = memory.bytes(copies.get(i));
            if (!now.equals(ByteBuffer.wrap(run.contents().get(i)))) {
                byte[] b = new byte[now.remaining()];
                now.get(b);
                changed[contents.size()] = i;
                contents.add(b);
            }
        }
        return new ChipEntity.Ran(node, Arrays.copyOf(changed, contents.size()), contents, null);
    }

    /** Ends the block threads of every kernel, or the child JVM; any thread, idempotent. */
    @Override
    public void close() {
        kernels.close();
    }
}
