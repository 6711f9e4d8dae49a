package dev.strata.testkit;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;
import java.nio.FloatBuffer;

/** Kernels of the kit's own tests: public static nested classes, so PROCESS mode and worker nodes can make them. */
public final class TestKernels {
    private TestKernels() {
    }

    /** Fills FLOAT32 tensor 0 with scalar 0. */
    public static final class Fill implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer t = ctx.memory().floats(ctx.args().tensor(0));
            for (int i = 0; i < t.limit(); i++) {
                t.put(i, ctx.args().scalar(0));
            }
        }
    }

    /** Adds 1 to every element of FLOAT32 tensor 0 (INOUT). */
    public static final class AddOne implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer t = ctx.memory().floats(ctx.args().tensor(0));
            for (int i = 0; i < t.limit(); i++) {
                t.put(i, t.get(i) + 1);
            }
        }
    }
}
