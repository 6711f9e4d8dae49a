package dev.strata.node.cholesky;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;

/**
 * A kernel that only holds its chip for {@link #HOLD_NANOS} and touches no tensor: the job's warm-up runs the
 * factorisation's DAG with it thousands of times so that the engine's own per-task code (dispatch, completion,
 * dependency release) is JIT-compiled before anything is timed, without thousands of real factorisations. It
 * holds the chip long enough that, as with the real kernels, completions arrive while the other chip works and
 * dispatches queue behind running tasks (a kernel that returned at once got the engine's code compiled for tasks
 * that take no time, and the timed runs slower: docs/performance.md), and it spins rather than sleeps so the chip
 * thread stays as busy as a kernel's.
 */
public final class EngineWarmUpKernel implements ChipKernel {
    /** The name this kernel is registered under. */
    public static final String NAME = "cholesky-warm-up";
    /** How long one call holds its chip: a fourteenth of a GEMM on 256 × 256 tiles, 100 runs of 120 in ~1.5 s. */
    static final long HOLD_NANOS = 200_000;

    @Override
    public void run(TaskContext ctx) {
        long until = System.nanoTime() + HOLD_NANOS;
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }
}
