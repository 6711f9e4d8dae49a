package dev.strata.node.cholesky;

import dev.strata.config.ClusterSettings;
import dev.strata.config.InvalidSettingException;
import dev.strata.config.WorkerSettings;
import dev.strata.node.job.Job;
import dev.strata.node.job.JobSection;
import dev.strata.node.job.JobFailedException;
import dev.strata.node.job.LocalTaskContext;
import dev.strata.node.job.LocalTensorMemory;
import dev.strata.node.job.Timings;
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
 * from their INPUT / INOUT tags alone. It checks the relative residual against the original matrix and times
 * the same kernel calls run one by one in a single thread.
 *
 * <p>Each tile sees its updates in one fixed order (they are chained by its INOUT tag), so every run — on the
 * engine under any schedule, or sequentially — must produce the same factor bit for bit; the job checks that
 * too. Timings are medians of {@code repetitions} runs after an untimed warm-up, so neither side pays for JIT
 * compilation; engine and sequential runs alternate, so a shared machine's load weighs on both alike. Both
 * sides run the same kernel classes ({@link #factorSequentially}), so the speed-up is the engine's alone.
 */
public final class TiledCholeskyJob implements Job {
    private static final int WARM_UP_TILES = 8; // the example's own size: its first timed run is then no slower
    // Real factorisations in the warm-up, after the engine warm-up below: they compile the kernels, and the
    // engine's path with them; one left the first timed runs 10 % slower than later ones (docs/performance.md).
    private static final int WARM_UP_ENGINE_RUNS = 5;
    // Tasks of the engine warm-up (EngineWarmUpKernel on the 8 × 8 DAG, 100 runs): the JIT compiles a method fully
    // after about 5 000 calls, so 5 runs of 120 tasks leave the engine's per-task code half-compiled; in a run of
    // 100 repetitions the engine's runs from about the 40th on were 3-4 % faster than the first ones.
    private static final int ENGINE_WARM_UP_TASKS = 12_000;
    private static final int ENGINE_WARM_UP_TILE = 8; // the warm-up kernel touches no tile: the smallest will do
    // Runs of one side further apart than this mean the machine was not the job's alone (docs/performance.md).
    private static final double UNEVEN = 1.25;

    private final CholeskySettings settings;
    private final WorkerSettings worker;
    private final boolean localChips; // not cluster mode: the chips are this process's threads or child JVMs
    private final Map<CholeskyKernel, Long> callables = new EnumMap<>(CholeskyKernel.class);
    private long warmUpCallable = -1;

    /**
     * A job with validated settings; fails naming the worker key if the engine cannot run it. In cluster mode the
     * kernels run on other nodes and the engine warm-up ({@link EngineWarmUpKernel}) is left out.
     */
    public TiledCholeskyJob(CholeskySettings settings, WorkerSettings worker, ClusterSettings cluster) {
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
        this.localChips = !cluster.enabled();
    }

    @Override
    public void register(Worker engine) {
        for (CholeskyKernel k : CholeskyKernel.values()) {
            callables.put(k, engine.registerChipCallable(k.kernelName(), k.newKernel()));
        }
        if (localChips) {
            warmUpCallable = engine.registerChipCallable(EngineWarmUpKernel.NAME, new EngineWarmUpKernel());
        }
    }

    @Override
    public void run(Worker engine, PrintStream out) {
        int n = settings.matrixSize();
        int tiles = settings.tiles();
        int reps = settings.repetitions();
        out.printf(Locale.ROOT, "tiled-cholesky: n=%d, tile=%d (%dx%d tiles), block-dim=%d, chip-workers=%d, mode=%s%n",
                n, settings.tileSize(), tiles, tiles, settings.blockDim(), worker.chipWorkers(), worker.mode());
        double[] a = SpdMatrix.random(n, settings.seed());
        List<TileOp> plan = CholeskyPlan.rightLooking(tiles);
        out.printf(Locale.ROOT, "  tasks        %d (%s)%n", plan.size(), countByKernel(plan));

        warmUp(engine);
        double[] engineSeconds = new double[reps];
        double[] sequentialSeconds = new double[reps];
        float[][] factor = null; // the first engine run's tiles: every later run must give them bit for bit
        TileMatrix local = settings.sequentialBaseline() ? localMatrix(n) : null;
        TileMatrix m = TileMatrix.allocate(engine.memory(), n, settings.tileSize());
        try {
            for (int r = 0; r < reps; r++) {
                m.load(a);
                long start = System.nanoTime();
                factor(engine, m, plan);
                engineSeconds[r] = (System.nanoTime() - start) / 1e9;
                if (factor == null) {
                    factor = m.copyTiles();
                    checkResidual(a, m.lowerTriangle(), out);
                } else {
                    expectSameFactor(factor, m, "engine run " + (r + 1) + " and engine run 1");
                }
                if (local != null) {
                    local.load(a);
                    start = System.nanoTime();
                    factorSequentially(local, plan, settings.blockDim());
                    sequentialSeconds[r] = (System.nanoTime() - start) / 1e9;
                    expectSameFactor(factor, local, "the sequential run and the engine");
                }
            }
        } finally {
            m.free();
        }
        double onEngine = Timings.median(engineSeconds);
        out.printf(Locale.ROOT, "  engine       %.3f s %s, %.2f GFLOP/s (n^3/3 flops)%n",
                onEngine, Timings.spread(engineSeconds), settings.flops() / onEngine / 1e9);
        if (local != null) {
            double sequential = Timings.median(sequentialSeconds);
            out.printf(Locale.ROOT, "  sequential   %.3f s %s, %.2f GFLOP/s (same kernel calls, one thread, same factor)%n",
                    sequential, Timings.spread(sequentialSeconds), settings.flops() / sequential / 1e9);
            out.printf(Locale.ROOT, "  speed-up     %.2fx%n", sequential / onEngine);
        }
        if (Timings.uneven(engineSeconds, UNEVEN) || local != null && Timings.uneven(sequentialSeconds, UNEVEN)) {
            out.printf(Locale.ROOT, "  note         runs of one side differ by more than %.0f %%: other work shared the"
                    + " machine, or its cores ran at unequal speeds; the speed-up then says little about the engine%n",
                    (UNEVEN - 1) * 100);
        }
    }

    private void checkResidual(double[] a, double[] l, PrintStream out) {
        double residual = SpdMatrix.relativeResidual(a, l, settings.matrixSize());
        boolean ok = residual <= settings.maxResidual();
        out.printf(Locale.ROOT, "  residual     %.3e  ||A - L*L^T||_F / ||A||_F (max %.1e): %s%n",
                residual, settings.maxResidual(), ok ? "ok" : "FAILED");
        if (!ok) {
            throw new JobFailedException(String.format(Locale.ROOT,
                    "tiled-cholesky residual %.3e is above strata.job.max-residual = %.1e", residual, settings.maxResidual()));
        }
    }

    /**
     * Compares tile by tile and allocates nothing: the job used to compare 32 MB copies of the factor after
     * each run, garbage whose collection then ran beside the next timed run.
     */
    private static void expectSameFactor(float[][] expected, TileMatrix actual, String what) {
        TileMatrix.Difference d = actual.firstDifference(expected);
        if (d != null) {
            throw new JobFailedException(String.format(Locale.ROOT,
                    "%s computed different factors: first difference at L[%d][%d], %s vs %s",
                    what, d.row(), d.column(), d.expected(), d.actual()));
        }
    }

    /** Submits every call of {@code plan} on {@code m} from one orchestration function; returns after the drain. */
    private void factor(Worker engine, TileMatrix m, List<TileOp> plan) {
        CallConfig split = callConfig(settings.blockDim());
        CallConfig single = callConfig(1);
        engine.run(Task.of((orch, args, cfg) -> {
            for (TileOp op : plan) {
                orch.submitNextLevel(callables.get(op.kernel()), op.args(m), op.kernel().splitsRows() ? split : single);
            }
        }));
    }

    /**
     * Runs the calls of {@code plan} on {@code m} with {@link EngineWarmUpKernel} in place of each kernel: the
     * factorisation's DAG (the tags are the same), without its arithmetic.
     */
    private void holdChipsAlong(Worker engine, TileMatrix m, List<TileOp> plan) {
        CallConfig single = callConfig(1);
        engine.run(Task.of((orch, args, cfg) -> {
            for (TileOp op : plan) {
                orch.submitNextLevel(warmUpCallable, op.args(m), single);
            }
        }));
    }

    /**
     * With local chips, first runs the DAG of an 8×8-tile factorisation with {@link EngineWarmUpKernel} until the
     * engine has run {@value #ENGINE_WARM_UP_TASKS} tasks. Then factorises a matrix of at most 8×8 tiles, untimed,
     * {@value #WARM_UP_ENGINE_RUNS} times on the engine (which also compiles the kernels, and the engine's path
     * with them) and once in this thread, and calls the tile arithmetic often enough on small tiles for the JIT
     * to compile it fully (not only on-stack replacement).
     */
    private void warmUp(Worker engine) {
        if (localChips) {
            List<TileOp> dag = CholeskyPlan.rightLooking(WARM_UP_TILES);
            TileMatrix tiny = TileMatrix.allocate(engine.memory(), WARM_UP_TILES * ENGINE_WARM_UP_TILE,
                    ENGINE_WARM_UP_TILE);
            try {
                for (int done = 0; done < ENGINE_WARM_UP_TASKS; done += dag.size()) {
                    holdChipsAlong(engine, tiny, dag);
                }
            } finally {
                tiny.free();
            }
        }
        int tiles = Math.min(settings.tiles(), WARM_UP_TILES);
        int n = tiles * settings.tileSize();
        double[] a = SpdMatrix.random(n, settings.seed() + 1);
        List<TileOp> plan = CholeskyPlan.rightLooking(tiles);
        TileMatrix onEngine = TileMatrix.allocate(engine.memory(), n, settings.tileSize());
        try {
            for (int run = 0; run < WARM_UP_ENGINE_RUNS; run++) {
                onEngine.load(a);
                factor(engine, onEngine, plan);
            }
        } finally {
            onEngine.free();
        }
        TileMatrix local = localMatrix(n);
        local.load(a);
        factorSequentially(local, plan, settings.blockDim());
        TileMath.exercise(16, 2_000);
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

    /** A matrix of order n in a private local memory (outside the engine). */
    private TileMatrix localMatrix(int n) {
        int ts = settings.tileSize();
        long tileBytes = (long) ts * ts * DataType.FLOAT32.elementSize();
        long count = TileMatrix.dataBytes(n, ts) / tileBytes;
        return TileMatrix.allocate(new LocalTensorMemory(Math.toIntExact(LocalTensorMemory.bytesFor(count, tileBytes))), n, ts);
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

    @Override
    public String sizeKey() {
        return JobSection.key("matrix-size");
    }
}
