package dev.strata.chip;

import dev.strata.check.TagCheck;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorMemory;
import dev.strata.worker.GroupTaskWorker;
import dev.strata.worker.RunningTask;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A simulated chip: runs registered {@link ChipKernel}s once per block of {@link CallConfig#blockDim()}.
 * Block 0 runs on the calling (worker) thread; the others on the chip's own threads, so one kernel call
 * may use several cores, like the blocks of a real launch. With the tag checker on ({@code strata.check.tags}) each
 * call is wrapped in a {@link TagCheck}: a written INPUT fails it, a written NO_DEP leaves a warning.
 */
public final class ChipWorker implements GroupTaskWorker {
    private final int chipIndex;
    private final ChipKernel[] kernels;
    private final List<String> names; // index = callable id; null when the check is off
    private final boolean checkTags;
    private final TensorMemory memory;
    private final int chipThreads;
    // Created on the first multi-block call (most kernels use one block). Guarded by this: close() may come
    // from the engine's closing thread while a kernel runs, to interrupt the other blocks.
    private ExecutorService blocks;
    private boolean closed;
    // The last task's tag-check warning, until the worker actor takes it (its thread alone runs run()).
    private String warning;

    /** Chip {@code chipIndex} with the kernel table (index = callable id) and {@code chipThreads} block threads. */
    public ChipWorker(int chipIndex, List<ChipKernel> kernels, TensorMemory memory, int chipThreads) {
        this(chipIndex, kernels, null, memory, chipThreads, false);
    }

    /**
     * As above, with the tag checker {@code checkTags} on or off; {@code names} are the kernels' registered names
     * (index = callable id) for its messages, needed only when it is on.
     */
    public ChipWorker(int chipIndex, List<ChipKernel> kernels, List<String> names, TensorMemory memory,
                      int chipThreads, boolean checkTags) {
        this.chipIndex = chipIndex;
        this.kernels = kernels.toArray(new ChipKernel[0]);
        this.memory = memory;
        this.chipThreads = chipThreads;
        this.checkTags = checkTags;
        this.names = checkTags ? List.copyOf(names) : null;
        if (checkTags && this.names.size() != this.kernels.length) {
            throw new IllegalArgumentException(this.names.size() + " names for " + this.kernels.length + " kernels");
        }
    }

    @Override
    public void run(long callable, TaskArgsView args, CallConfig config, int groupIndex) throws Exception {
        warning = run(callable, checkTags ? names.get(checkedId(callable)) : null, args, config, groupIndex);
    }

    @Override
    public String takeWarning() {
        String w = warning;
        warning = null;
        return w;
    }

    /**
     * Runs kernel {@code callable}, registered as {@code callableName}, and returns the tag checker's warning (a
     * written NO_DEP tensor), or null: always null with the check off. For callers that know the name themselves
     * (a worker node) and may run tasks on several threads at once.
     *
     * @throws dev.strata.check.TagViolationException with the check on, when the kernel wrote an INPUT tensor
     */
    public String run(long callable, String callableName, TaskArgsView args, CallConfig config, int groupIndex)
            throws Exception {
        ChipKernel kernel = kernels[checkedId(callable)];
        if (!checkTags) {
            launch(kernel, args, config, groupIndex);
            return null;
        }
        TagCheck check = TagCheck.before(args, memory);
        launch(kernel, args, config, groupIndex);
        return check == null ? null : check.after(callableName);
    }

    private int checkedId(long callable) {
        if (callable < 0 || callable >= kernels.length) {
            throw new IllegalArgumentException("unknown chip callable id " + callable + " on chip " + chipIndex
                    + " (registered: " + kernels.length + ")");
        }
        return (int) callable;
    }

    private void launch(ChipKernel kernel, TaskArgsView args, CallConfig config, int groupIndex) throws Exception {
        int blockDim = config.blockDim();
        if (blockDim == 1) {
            kernel.run(new RunningTask(args, config, memory, groupIndex, 0));
            return;
        }
        Future<?>[] others = new Future<?>[blockDim - 1];
        for (int b = 1; b < blockDim; b++) {
            RunningTask ctx = new RunningTask(args, config, memory, groupIndex, b);
            others[b - 1] = blockPool().submit(() -> {
                kernel.run(ctx);
                return null;
            });
        }
        Throwable first = null;
        try {
            kernel.run(new RunningTask(args, config, memory, groupIndex, 0));
        } catch (Throwable t) {
            first = t; // errors too: the other blocks must be joined before the next task may start
        }
        for (Future<?> f : others) {
            try {
                f.get(); // bounded by the kernel itself; the run timeout covers a kernel that never returns
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause();
                }
            }
        }
        if (first instanceof Exception e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
    }

    private synchronized ExecutorService blockPool() {
        if (closed) {
            throw new IllegalStateException("chip " + chipIndex + " is closed");
        }
        if (blocks == null) {
            AtomicInteger n = new AtomicInteger();
            ThreadFactory tf = r -> {
                Thread t = new Thread(r, "strata-chip-" + chipIndex + "-block-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            blocks = Executors.newFixedThreadPool(chipThreads, tf);
        }
        return blocks;
    }

    /** Interrupts blocks still running on the chip's threads and ends those threads; any thread, idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (blocks != null) {
            blocks.shutdownNow();
        }
    }
}
