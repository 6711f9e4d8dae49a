package dev.strata.chip;

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
 * may use several cores, like the blocks of a real launch.
 */
public final class ChipWorker implements GroupTaskWorker {
    private final int chipIndex;
    private final ChipKernel[] kernels;
    private final TensorMemory memory;
    private final int chipThreads;
    // Created on the first multi-block call (most kernels use one block). Guarded by this: close() may come
    // from the engine's closing thread while a kernel runs, to interrupt the other blocks.
    private ExecutorService blocks;
    private boolean closed;

    /** Chip {@code chipIndex} with the kernel table (index = callable id) and {@code chipThreads} block threads. */
    public ChipWorker(int chipIndex, List<ChipKernel> kernels, TensorMemory memory, int chipThreads) {
        this.chipIndex = chipIndex;
        this.kernels = kernels.toArray(new ChipKernel[0]);
        this.memory = memory;
        this.chipThreads = chipThreads;
    }

    @Override
    public void run(long callable, TaskArgsView args, CallConfig config, int groupIndex) throws Exception {
        if (callable < 0 || callable >= kernels.length) {
            throw new IllegalArgumentException("unknown chip callable id " + callable + " on chip " + chipIndex
                    + " (registered: " + kernels.length + ")");
        }
        ChipKernel kernel = kernels[(int) callable];
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
