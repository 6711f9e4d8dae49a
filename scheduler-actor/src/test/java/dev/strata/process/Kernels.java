package dev.strata.process;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * Chip kernels for the PROCESS-mode tests: public static nested classes with no-arg constructors, so a
 * child JVM can load them by name from the test class path. The same instances run in THREAD mode.
 */
public final class Kernels {
    private Kernels() {
    }

    /** Does nothing. */
    public static final class Noop implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
        }
    }

    /** FLOAT32 tensor 0 (INOUT) += scalar 0, split over the blocks. */
    public static final class AddScalar implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer f = ctx.memory().floats(ctx.args().tensor(0));
            int n = f.limit();
            int blocks = ctx.config().blockDim();
            for (int i = n * ctx.blockIndex() / blocks; i < n * (ctx.blockIndex() + 1) / blocks; i++) {
                f.put(i, f.get(i) + ctx.args().scalar(0));
            }
        }
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

    /** INT64 tensor 0 (OUTPUT) = [pid, groupIndex, scalar 0]. */
    public static final class WhoAmI implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            LongBuffer l = ctx.memory().longs(ctx.args().tensor(0));
            l.put(0, ProcessHandle.current().pid());
            l.put(1, ctx.groupIndex());
            l.put(2, ctx.args().scalar(0));
        }
    }

    /** Throws, with scalar 0 in the message. */
    public static final class Throws implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            throw new IllegalStateException("kernel says no " + ctx.args().scalar(0));
        }
    }

    /** Calls System.exit(scalar 0). */
    public static final class Exits implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            System.exit((int) ctx.args().scalar(0));
        }
    }

    /** Writes its pid into INT64 tensor 0 when given one (the "I have started" signal), then never returns. */
    public static final class Hangs implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            if (ctx.args().tensorCount() > 0) {
                ctx.memory().longs(ctx.args().tensor(0)).put(0, ProcessHandle.current().pid());
            }
            while (true) {
                LockSupport.parkNanos(1_000_000);
            }
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
