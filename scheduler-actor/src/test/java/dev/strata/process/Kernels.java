package dev.strata.process;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;
import java.nio.FloatBuffer;

/**
 * Chip kernels for the engine-level PROCESS-mode tests, beyond worker-actor's {@link TestKernels}: public
 * static nested classes with no-arg constructors, so a child JVM can load them by name from the test class
 * path. The same instances run in THREAD mode.
 */
public final class Kernels {
    private Kernels() {
    }

    /** Fills FLOAT32 tensor 0 (OUTPUT) with scalar 0. */
    public static final class Fill implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer f = ctx.memory().floats(ctx.args().tensor(0));
            for (int i = 0; i < f.limit(); i++) {
                f.put(i, ctx.args().scalar(0));
            }
        }
    }

    /** FLOAT32 tensor 1 (OUTPUT) = tensor 0 (INPUT) * scalar 0, element-wise. */
    public static final class Scale implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer in = ctx.memory().floats(ctx.args().tensor(0));
            FloatBuffer out = ctx.memory().floats(ctx.args().tensor(1));
            for (int i = 0; i < in.limit(); i++) {
                out.put(i, in.get(i) * ctx.args().scalar(0));
            }
        }
    }

    /** FLOAT32 tensor 1 (OUTPUT_EXISTING, 1 element) = sum of tensor 0 (INPUT). */
    public static final class Sum implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer in = ctx.memory().floats(ctx.args().tensor(0));
            float s = 0;
            for (int i = 0; i < in.limit(); i++) {
                s += in.get(i);
            }
            ctx.memory().floats(ctx.args().tensor(1)).put(0, s);
        }
    }

    /** One step of a chain: FLOAT32 tensor 0 (INOUT) += 1, and its pid into INT64 tensor 1 (NO_DEP) at scalar 0. */
    public static final class ChainStep implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer f = ctx.memory().floats(ctx.args().tensor(0));
            f.put(0, f.get(0) + 1);
            ctx.memory().longs(ctx.args().tensor(1)).put((int) ctx.args().scalar(0), ProcessHandle.current().pid());
        }
    }

    /** FLOAT32 tensor 0 (INOUT) += 1; its pid into INT64 tensor 2 (NO_DEP) at scalar 0; tensor 1 only orders it. */
    public static final class GroupStep implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer f = ctx.memory().floats(ctx.args().tensor(0));
            f.put(0, f.get(0) + 1);
            ctx.memory().longs(ctx.args().tensor(2)).put((int) ctx.args().scalar(0), ProcessHandle.current().pid());
        }
    }

    /** FLOAT32 tensor 0 (INOUT) += tensor 1 + tensor 2 (both INPUT, one element each). */
    public static final class Merge implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer acc = ctx.memory().floats(ctx.args().tensor(0));
            acc.put(0, acc.get(0) + ctx.memory().floats(ctx.args().tensor(1)).get(0)
                    + ctx.memory().floats(ctx.args().tensor(2)).get(0));
        }
    }
}
