package dev.strata.node.cholesky;

import dev.strata.config.InvalidSettingException;
import dev.strata.config.WorkerSettings;
import dev.strata.node.Job;
import dev.strata.node.JobFailedException;
import dev.strata.node.LocalTaskContext;
import dev.strata.node.LocalTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgsView;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code tiled-cholesky} job: factorises a random SPD matrix A = L·Lᵀ held as FLOAT32 tiles in the
 * engine's tensor memory, with POTRF / TRSM / SYRK / GEMM chip kernels whose dependencies the engine infers
 * from their INPUT / INOUT tags alone. Then it checks the relative residual against the original matrix and
 * times the same kernel calls run one by one in a single thread.
 */
public final class TiledCholeskyJob implements Job {
    private static final int WARM_UP_TILES = 4;

    private final CholeskySettings settings;
    private final WorkerSettings worker;
    private final Map<CholeskyKernel, Long> callables = new EnumMap<>(CholeskyKernel.class);

    /** A job with validated settings; fails naming the worker key if the engine cannot run it. */
    public TiledCholeskyJob(CholeskySettings settings, WorkerSettings worker) {
        if (worker.chipWorkers() < 1) {
            throw new InvalidSettingException("strata.worker.chip-workers", worker.chipWorkers(),
                    "must be >= 1 for a tiled-cholesky job (its kernels run on chip workers)");
        }
        long bytes = TileMatrix.dataBytes(settings.matrixSize(), settings.tileSize());
        if (bytes > worker.arenaSize()) {
            throw new InvalidSettingException("strata.worker.arena-size", worker.arenaSize(),
                    "must hold the lower-triangle tiles of the matrix: at least " + bytes + " bytes for "
                            + "strata.job.matrix-size = " + settings.matrixSize());
        }
        this.settings = settings;
        this.worker = worker;
    }

    @Override
    public void register(Worker engine) {
        for (CholeskyKernel k : CholeskyKernel.values()) {
            callables.put(k, engine.registerChipCallable(k.kernelName(), k.newKernel()));
        }
    }

    @Override
    public void run(Worker engine, PrintStream out) {
        int n = settings.matrixSize();
        int tiles = settings.tiles();
        out.printf(Locale.ROOT, "tiled-cholesky: n=%d, tile=%d (%dx%d tiles), block-dim=%d, chip-workers=%d, mode=%s%n",
                n, settings.tileSize(), tiles, tiles, settings.blockDim(), worker.chipWorkers(), worker.mode());

        double[] a = SpdMatrix.random(n, settings.seed());
        List<TileOp> plan = CholeskyPlan.rightLooking(tiles);
        warmUp();
        TileMatrix m = TileMatrix.allocate(engine.memory(), n, settings.tileSize());
        double engineSeconds;
        double residual;
        try {
            m.load(a);
            CallConfig split = callConfig(settings.blockDim());
            CallConfig single = callConfig(1);
            long start = System.nanoTime();
            engine.run(Task.of((orch, args, cfg) -> {
                for (TileOp op : plan) {
                    orch.submitNextLevel(callables.get(op.kernel()), op.args(m), op.kernel().splitsRows() ? split : single);
                }
            }));
            engineSeconds = (System.nanoTime() - start) / 1e9;
            residual = SpdMatrix.relativeResidual(a, m.lowerTriangle(), n);
        } finally {
            m.free();
        }

        out.printf(Locale.ROOT, "  tasks        %d (%s)%n", plan.size(), countByKernel(plan));
        boolean ok = residual <= settings.maxResidual();
        out.printf(Locale.ROOT, "  residual     %.3e  ||A - L*L^T||_F / ||A||_F (max %.1e): %s%n",
                residual, settings.maxResidual(), ok ? "ok" : "FAILED");
        if (!ok) {
            throw new JobFailedException(String.format(Locale.ROOT,
                    "tiled-cholesky residual %.3e is above strata.job.max-residual = %.1e", residual, settings.maxResidual()));
        }
        out.printf(Locale.ROOT, "  engine       %.3f s, %.2f GFLOP/s (n^3/3 flops)%n",
                engineSeconds, settings.flops() / engineSeconds / 1e9);
        if (settings.sequentialBaseline()) {
            double sequentialSeconds = timeSequential(a, plan);
            out.printf(Locale.ROOT, "  sequential   %.3f s, %.2f GFLOP/s (same kernel calls, one thread)%n",
                    sequentialSeconds, settings.flops() / sequentialSeconds / 1e9);
            out.printf(Locale.ROOT, "  speed-up     %.2fx%n", sequentialSeconds / engineSeconds);
        }
    }

    /**
     * Factorises a matrix of at most 4×4 tiles in this thread, untimed, so that the kernels are JIT-compiled
     * before either timed run: otherwise whichever runs first pays for compilation.
     */
    private void warmUp() {
        int tiles = Math.min(settings.tiles(), WARM_UP_TILES);
        int n = tiles * settings.tileSize();
        TileMatrix m = localMatrix(n);
        m.load(SpdMatrix.random(n, settings.seed() + 1));
        factorSequentially(m, CholeskyPlan.rightLooking(tiles), settings.blockDim());
    }

    /** Factorises a fresh copy of {@code a} by calling the kernels directly, in plan order; returns seconds. */
    private double timeSequential(double[] a, List<TileOp> plan) {
        TileMatrix m = localMatrix(settings.matrixSize());
        m.load(a);
        long start = System.nanoTime();
        factorSequentially(m, plan, settings.blockDim());
        return (System.nanoTime() - start) / 1e9;
    }

    /** A matrix of order n in a private local memory (outside the engine). */
    private TileMatrix localMatrix(int n) {
        int ts = settings.tileSize();
        long tileBytes = (long) ts * ts * DataType.FLOAT32.elementSize();
        long count = TileMatrix.dataBytes(n, ts) / tileBytes;
        return TileMatrix.allocate(new LocalTensorMemory(Math.toIntExact(LocalTensorMemory.bytesFor(count, tileBytes))), n, ts);
    }

    /**
     * Runs {@code plan} on {@code m} in this thread, one call after the other and each call's blocks one after
     * the other — what the engine does, minus the engine.
     */
    public static void factorSequentially(TileMatrix m, List<TileOp> plan, int blockDim) {
        Map<CholeskyKernel, ChipKernel> kernels = new EnumMap<>(CholeskyKernel.class);
        for (CholeskyKernel k : CholeskyKernel.values()) {
            kernels.put(k, k.newKernel());
        }
        CallConfig split = callConfig(blockDim);
        CallConfig single = callConfig(1);
        for (TileOp op : plan) {
            TaskArgsView args = op.args(m).view();
            CallConfig config = op.kernel().splitsRows() ? split : single;
            ChipKernel kernel = kernels.get(op.kernel());
            for (int block = 0; block < config.blockDim(); block++) {
                try {
                    kernel.run(new LocalTaskContext(args, config, m.memory(), 0, block));
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(op + " failed: " + e.getMessage(), e);
                }
            }
        }
    }

    private static CallConfig callConfig(int blockDim) {
        return new CallConfig(blockDim, CallConfig.DEFAULT.aicpuThreadNum(), false);
    }

    private static String countByKernel(List<TileOp> plan) {
        Map<CholeskyKernel, Integer> counts = new EnumMap<>(CholeskyKernel.class);
        for (TileOp op : plan) {
            counts.merge(op.kernel(), 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder();
        counts.forEach((k, c) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(c));
        return b.toString();
    }
}
