package dev.strata.cluster;

import dev.strata.check.TagCheck;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.protocol.TensorMemory;
import dev.strata.trace.RunTrace;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a chip entity does on its worker node, without the actor: copies a task's shipped tensors into the node's
 * own tensor memory, runs the kernel (made by class name; in the node's JVM, or in a child JVM of the node in
 * PROCESS mode: {@link NodeKernels}) on node-local addresses as a single-node chip does, and answers with the bytes
 * of the tensors the task may write; then frees the copies.
 *
 * <p>The {@link ShippingPlan} in the dispatch says which way each tensor travels: a tensor the kernel only writes
 * (OUTPUT) arrives as a zero-filled copy; one it only reads (INPUT, NO_DEP) does not go back. Tensors at one address
 * share one copy. Large answers are streamed ({@link TensorTransfer}), so the copies stay until the head has pulled
 * them, or the stream ended without it.
 */
public final class NodeChip implements AutoCloseable {
    private final int chipIndex;
    private final String node;
    private final AtomicLong tasksRun;
    private final TensorTransfer transfer;
    // THREAD mode: one ChipWorker per kernel class in this JVM; PROCESS mode: one child JVM for them all.
    private final NodeKernels kernels;

    /**
     * Chip {@code chipIndex} on the node at {@code node} in THREAD mode, using {@code memory} (the node's own) and
     * {@code chipThreads} block threads per kernel; moves bytes with {@code transfer}; counts each task it runs in
     * {@code tasksRun}.
     */
    public NodeChip(int chipIndex, String node, TensorMemory memory, int chipThreads, AtomicLong tasksRun,
                    TensorTransfer transfer) {
        this(chipIndex, node, new ThreadKernels(chipIndex, node, memory, chipThreads), tasksRun, transfer);
    }

    /**
     * Entity {@code chipIndex} whose tasks run as {@code kernels} says (a chip's kernels in THREAD or PROCESS mode,
     * or an engine's orch fns), on the memory they name; it closes them.
     */
    public NodeChip(int chipIndex, String node, NodeKernels kernels, AtomicLong tasksRun, TensorTransfer transfer) {
        this.chipIndex = chipIndex;
        this.node = node;
        this.kernels = kernels;
        this.tasksRun = tasksRun;
        this.transfer = transfer;
    }

    /**
     * Runs one task; never throws: a failure (kernel, class, memory, transfer) is the answer's error, naming this
     * node.
     */
    public ChipEntity.Ran run(ChipEntity.Run run) {
        List<ContinuousTensor> copies = new ArrayList<>(run.plan().tensors().size());
        // The copies are freed once, and the kernel released with them: when the answer's bytes have been read (at
        // once when they are inline), or here.
        AtomicBoolean freed = new AtomicBoolean();
        boolean answered = false;
        boolean pulled = false; // the dispatch's bytes were read, or their reading failed
        NodeKernels.Kernel chip = null;
        try {
            chip = kernels.kernel(run);
            TensorMemory memory = chip.memory();
            Map<Long, ContinuousTensor> local = new HashMap<>();
            List<ByteBuffer> in = new ArrayList<>();
            List<ByteBuffer> back = new ArrayList<>();
            for (ShippingPlan.Shipped s : run.plan().tensors()) {
                ContinuousTensor copy = copyOf(memory, s.tensor()); // zero-filled: an OUTPUT starts from zeros
                copies.add(copy);
                local.put(s.tensor().data(), copy);
                if (s.in()) {
                    in.add(memory.bytes(copy));
                }
                if (s.back()) {
                    back.add(memory.bytes(copy));
                }
            }
            pulled = true;
            try {
                transfer.writeAsItArrives(run.in(), in);
            } catch (TensorTransfer.TransferException | java.util.concurrent.TimeoutException e) {
                throw new AttemptLostException("the task's input bytes did not arrive: " + e.getMessage(), e);
            }
            tasksRun.incrementAndGet();
            TaskArgsSnapshot args = localArgs(run.args(), local);
            // The head's tag checker, here where the kernel runs: on the node's copies, which the kernel writes (in a
            // PROCESS-mode node its child JVM writes this memory too).
            TagCheck check = run.checkTags() ? TagCheck.before(args, memory) : null;
            RunTrace below = chip.run(args, run.config(), run.groupIndex());
            String warning = joined(check == null ? null : check.after(run.callableName()), chip.warningBelow());
            NodeKernels.Kernel used = chip;
            TensorBytes answer = transfer.send(back, () -> {
                if (freed.compareAndSet(false, true)) {
                    free(used, copies);
                }
            });
            answered = true;
            return new ChipEntity.Ran(0, node, answer, null,
                    below == null ? null : TraceBytes.send(transfer, below), warning);
        } catch (Throwable t) {
            if (!pulled) {
                transfer.discard(run.in());
            }
            TaskError e = TaskError.of(t);
            String where = kernels.what() + " " + chipIndex + " on worker node " + node;
            return new ChipEntity.Ran(node, null, new TaskError(e.exceptionClass(),
                    e.message() == null ? "(" + where + ")" : e.message() + " (" + where + ")", e.stack()));
        } finally {
            if (!answered && chip != null && freed.compareAndSet(false, true)) {
                free(chip, copies);
            }
        }
    }

    /** The task's own tag warning and those of the run below it (level 4), in one line; null when neither. */
    private static String joined(String own, String below) {
        return own == null ? below : below == null ? own : own + "; " + below;
    }

    /** How long this node waits for bytes, and a chip's task for the one before it: its {@code task-timeout}. */
    java.time.Duration taskTimeout() {
        return transfer.timeout();
    }

    /** A zero-filled node-local tensor like {@code head}; a full arena fails naming the node, size and setting. */
    private ContinuousTensor copyOf(TensorMemory memory, ContinuousTensor head) {
        try {
            return memory.allocate(head.dtype(), head.shape());
        } catch (IllegalStateException e) {
            throw new IllegalStateException("worker node " + node + " cannot make a " + head.nbytes() + "-byte copy"
                    + " of " + head + " in its tensor memory (its strata.worker.arena-size bounds the tensors of the"
                    + " tasks it runs at once): " + e.getMessage(), e);
        }
    }

    /**
     * Frees the task's copies, then releases {@code kernel} (an engine closes only once no task's copies are left in
     * its memory); a memory already closed (the node is stopping) frees them all at once.
     */
    private static void free(NodeKernels.Kernel kernel, List<ContinuousTensor> copies) {
        try {
            for (ContinuousTensor c : copies) {
                kernel.memory().free(c);
            }
        } catch (IllegalStateException closed) {
            // the node's memory closed under a running task: nothing is left to free, and the answer must still go
        } finally {
            kernel.release();
        }
    }

    /**
     * The args with each tensor moved to its node-local copy (a tensor of address 0 stays "no tensor"), with their
     * tags when the head sent them.
     */
    private static TaskArgsSnapshot localArgs(TaskArgsSnapshot args, Map<Long, ContinuousTensor> local) {
        ContinuousTensor[] tensors = new ContinuousTensor[args.tensorCount()];
        for (int i = 0; i < tensors.length; i++) {
            ContinuousTensor t = args.tensor(i);
            ContinuousTensor copy = local.get(t.data());
            tensors[i] = copy == null ? t : t.withData(copy.data());
        }
        return new TaskArgsSnapshot(Arrays.asList(tensors), args.scalars(), args.tags());
    }

    /** Ends the block threads of every kernel, or the child JVM; any thread, idempotent. */
    @Override
    public void close() {
        kernels.close();
    }
}
