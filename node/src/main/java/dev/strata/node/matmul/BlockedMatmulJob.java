package dev.strata.node.matmul;

import dev.strata.config.ClusterSettings;
import dev.strata.config.InvalidSettingException;
import dev.strata.config.WorkerSettings;
import dev.strata.node.job.Job;
import dev.strata.node.job.JobFailedException;
import dev.strata.node.job.JobSection;
import dev.strata.node.job.Timings;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import dev.strata.protocol.TensorMemory;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * The {@code level4-matmul} job: C = A x B on random FLOAT32 matrices, two levels deep. The head is a level-4 engine
 * whose next-level workers are level-3 engines on the worker nodes; {@link RowPanels} gives each engine one row
 * panel of C (a group: all at once), and on each engine {@link PanelTiles} cuts the panel into tiles of rows, one
 * {@link MatmulKernel} chip task each.
 *
 * <p>Every element of C is summed in the same order wherever it is computed, so the engines' C must equal a
 * single-thread multiply on the head bit for bit, and every repetition the first; the job checks both, and checks
 * the float error against a double-precision multiply ({@code max-error}). Timings are medians of
 * {@code repetitions} runs after an untimed warm-up, which also starts the engines on the nodes.
 */
public final class BlockedMatmulJob implements Job {
    /** Order of the warm-up matrices. */
    private static final int WARM_UP_SIZE = 256;

    private final MatmulSettings settings;
    private final WorkerSettings worker;
    private long gemm = -1;
    private long panelTiles = -1;

    /**
     * A job with validated settings; fails naming the setting if the head cannot run it: it must be a level-4
     * engine in cluster mode with at least one engine (and no more than rows of C), and its arena must hold A, B and C.
     */
    public BlockedMatmulJob(MatmulSettings settings, WorkerSettings worker, ClusterSettings cluster) {
        if (worker.level() < 4) {
            throw new InvalidSettingException("strata.worker.level", worker.level(), "must be 4 for a level4-matmul"
                    + " job (its next-level workers are level-3 engines on the worker nodes)");
        }
        if (!cluster.enabled()) {
            throw new InvalidSettingException(ClusterSettings.PATH + ".enabled", false, "must be true for a"
                    + " level4-matmul job (its level-3 engines run on the worker nodes of a cluster)");
        }
        if (worker.chipWorkers() < 1 || worker.chipWorkers() > settings.matrixSize()) {
            throw new InvalidSettingException("strata.worker.chip-workers", worker.chipWorkers(), "must be between 1"
                    + " and " + JobSection.key("matrix-size") + " (" + settings.matrixSize() + ") for a level4-matmul"
                    + " job: at level 4 it counts the engines, one row panel of C each");
        }
        if (settings.dataBytes() > worker.arenaSize()) {
            throw new InvalidSettingException("strata.worker.arena-size", worker.arenaSize(), "must hold A, B and C:"
                    + " at least " + settings.dataBytes() + " bytes for " + JobSection.key("matrix-size") + " = "
                    + settings.matrixSize());
        }
        this.settings = settings;
        this.worker = worker;
    }

    @Override
    public void register(Worker head) {
        gemm = head.registerChipCallable(MatmulKernel.NAME, new MatmulKernel());
        panelTiles = head.registerOrchFn(PanelTiles.NAME, new PanelTiles());
    }

    @Override
    public void run(Worker head, PrintStream out) {
        int n = settings.matrixSize();
        int engines = worker.chipWorkers();
        int reps = settings.repetitions();
        int widest = PanelPlan.panels(n, engines).stream().mapToInt(PanelPlan.Rows::count).max().orElseThrow();
        int tilesPerPanel = PanelPlan.tiles(widest, settings.tileSize()).size();
        out.printf(Locale.ROOT, "level4-matmul: C = A x B, n=%d (FLOAT32), %d engines (level 3), a row panel of"
                        + " <= %d rows each, tiles of %d rows, block-dim=%d%n",
                n, engines, widest, settings.tileSize(), settings.blockDim());
        out.printf(Locale.ROOT, "  tasks        1 level-4 group of %d (one panel per engine), <= %d GEMM chip tasks"
                + " per engine%n", engines, tilesPerPanel);

        float[] a = MatmulMath.random(n, settings.seed());
        float[] b = MatmulMath.random(n, settings.seed() + 1);
        warmUp(head, engines);

        double[] engineSeconds = new double[reps];
        float[] c = null;
        for (int r = 0; r < reps; r++) {
            long start = System.nanoTime();
            float[] result = multiplyOnEngines(head, a, b, n, engines);
            engineSeconds[r] = (System.nanoTime() - start) / 1e9;
            if (c == null) {
                c = result;
            } else {
                expectSame(c, result, "engine run " + (r + 1) + " and engine run 1");
            }
        }

        double[] threadSeconds = new double[reps];
        float[] single = new float[n * n];
        for (int r = 0; r < reps; r++) {
            Arrays.fill(single, Float.NaN);
            long start = System.nanoTime();
            MatmulMath.multiply(a, b, single, n, n, n);
            threadSeconds[r] = (System.nanoTime() - start) / 1e9;
        }
        expectSame(single, c, "the single-thread multiply and the engines");
        checkError(c, MatmulMath.reference(a, b, n, n, n), out);

        double onEngines = Timings.median(engineSeconds);
        double inThread = Timings.median(threadSeconds);
        out.printf(Locale.ROOT, "  engines      %.3f s %s, %.2f GFLOP/s (2n^3 flops)%n",
                onEngines, Timings.spread(engineSeconds), settings.flops() / onEngines / 1e9);
        out.printf(Locale.ROOT, "  one thread   %.3f s %s, %.2f GFLOP/s (same arithmetic on the head, same C bit for"
                + " bit)%n", inThread, Timings.spread(threadSeconds), settings.flops() / inThread / 1e9);
        out.printf(Locale.ROOT, "  speed-up     %.2fx%n", inThread / onEngines);
    }

    /**
     * C = A x B on the engines: A, B and C (filled with NaN, so a row nobody wrote cannot pass) in the head's memory,
     * one level-4 run of {@link RowPanels}; returns C.
     */
    private float[] multiplyOnEngines(Worker head, float[] a, float[] b, int n, int engines) {
        TensorMemory memory = head.memory();
        ContinuousTensor ta = memory.allocate(DataType.FLOAT32, n, n);
        ContinuousTensor tb = memory.allocate(DataType.FLOAT32, n, n);
        ContinuousTensor tc = memory.allocate(DataType.FLOAT32, n, n);
        try {
            memory.write(ta, a);
            memory.write(tb, b);
            float[] nan = new float[n * n];
            Arrays.fill(nan, Float.NaN);
            memory.write(tc, nan);
            TaskArgs args = new TaskArgs()
                    .addTensor(ta, TensorArgType.INPUT)
                    .addTensor(tb, TensorArgType.INPUT)
                    .addTensor(tc, TensorArgType.OUTPUT_EXISTING)
                    .addScalar(panelTiles)
                    .addScalar(gemm)
                    .addScalar(settings.tileSize())
                    .addScalar(engines);
            head.run(new Task(new RowPanels(), args, new CallConfig(settings.blockDim(),
                    CallConfig.DEFAULT.aicpuThreadNum(), false)));
            return memory.readFloats(tc);
        } finally {
            memory.free(ta);
            memory.free(tb);
            memory.free(tc);
        }
    }

    /** One untimed multiply of small matrices: starts the engines on the nodes and warms their kernels up. */
    private void warmUp(Worker head, int engines) {
        int n = Math.max(engines, Math.min(settings.matrixSize(), WARM_UP_SIZE));
        multiplyOnEngines(head, MatmulMath.random(n, settings.seed() + 2), MatmulMath.random(n, settings.seed() + 3),
                n, engines);
    }

    private void checkError(float[] c, double[] reference, PrintStream out) {
        double error = MatmulMath.maxAbsError(c, reference);
        boolean ok = error <= settings.maxError();
        out.printf(Locale.ROOT, "  max error    %.3e  max |C - C_ref| against a double-precision multiply (max %.1e):"
                + " %s%n", error, settings.maxError(), ok ? "ok" : "FAILED");
        if (!ok) {
            throw new JobFailedException(String.format(Locale.ROOT,
                    "level4-matmul max error %.3e is above %s = %.1e", error, JobSection.key("max-error"),
                    settings.maxError()));
        }
    }

    private void expectSame(float[] expected, float[] actual, String what) {
        if (!Arrays.equals(expected, actual)) {
            int i = Arrays.mismatch(expected, actual);
            int n = settings.matrixSize();
            throw new JobFailedException(String.format(Locale.ROOT,
                    "%s computed different products: first difference at C[%d][%d], %s vs %s",
                    what, i / n, i % n, expected[i], actual[i]));
        }
    }

    @Override
    public String sizeKey() {
        return JobSection.key("matrix-size");
    }
}
