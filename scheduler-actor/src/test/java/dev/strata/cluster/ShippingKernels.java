package dev.strata.cluster;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;
import java.nio.FloatBuffer;

/** Chip kernels the cluster unit tests ship by class name: public static nested, no-arg constructors. */
public final class ShippingKernels {
    private ShippingKernels() {
    }

    /** FLOAT32 tensor 1 (OUTPUT) = tensor 0 (INPUT) + scalar 0; records the thread it ran on. */
    public static final class AddScalar implements ChipKernel {
        static volatile String lastThread;

        @Override
        public void run(TaskContext ctx) {
            lastThread = Thread.currentThread().getName();
            FloatBuffer in = ctx.memory().floats(ctx.args().tensor(0));
            FloatBuffer out = ctx.memory().floats(ctx.args().tensor(1));
            for (int i = 0; i < in.limit(); i++) {
                out.put(i, in.get(i) + ctx.args().scalar(0));
            }
        }
    }

    /** Always throws. */
    public static final class Throws implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            throw new IllegalStateException("kernel failed on purpose");
        }
    }

    /** FLOAT32 tensor 1 += tensor 0, element-wise. */
    public static final class Accumulate implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer in = ctx.memory().floats(ctx.args().tensor(0));
            FloatBuffer out = ctx.memory().floats(ctx.args().tensor(1));
            for (int i = 0; i < in.limit(); i++) {
                out.put(i, out.get(i) + in.get(i));
            }
        }
    }

    /** Fills every FLOAT32 tensor with scalar 0, whatever its tag says: what comes back is up to the tags. */
    public static final class FillAll implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            for (int t = 0; t < ctx.args().tensorCount(); t++) {
                FloatBuffer b = ctx.memory().floats(ctx.args().tensor(t));
                for (int i = 0; i < b.limit(); i++) {
                    b.put(i, ctx.args().scalar(0));
                }
            }
        }
    }
}
