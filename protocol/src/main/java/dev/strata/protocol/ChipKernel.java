package dev.strata.protocol;

/**
 * A kernel registered with {@code Worker.registerChipCallable} and run by a (simulated) chip worker,
 * once per block; blocks of one call may run in parallel, see {@link TaskContext#blockIndex()}.
 */
@FunctionalInterface
public interface ChipKernel {
    /** Runs one block of the kernel; throwing fails the task with this exception as cause. */
    void run(TaskContext ctx) throws Exception;
}
