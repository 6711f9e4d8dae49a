package dev.strata.process;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * Kernels a chip-process child can load by name: public static nested classes with no-arg constructors.
 * Shared with scheduler-actor's PROCESS-mode tests through this module's test-jar.
 */
public final class TestKernels {
    private TestKernels() {
    }

    /** Does nothing. */
    public static final class Noop implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
        }
    }

    /** Adds scalar 0 to every element of FLOAT32 tensor 0, block by block. */
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

    /** Throws with scalar 0 in the message. */
    public static final class Throws implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            throw new IllegalStateException("kaput " + ctx.args().scalar(0));
        }
    }

    /** Calls System.exit with scalar 0. */
    public static final class Exits implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            System.err.println("exiting with " + ctx.args().scalar(0));
            System.exit((int) ctx.args().scalar(0));
        }
    }

    /** Writes its pid to INT64 tensor 0 (if given), then never returns. */
    public static final class Hangs implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            if (ctx.args().tensorCount() > 0) {
                LongBuffer l = ctx.memory().longs(ctx.args().tensor(0));
                l.put(0, ProcessHandle.current().pid());
            }
            while (true) {
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    /** Writes [pid, group index, scalar 0 (if given)] to INT64 tensor 0. */
    public static final class WhoAmI implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            LongBuffer l = ctx.memory().longs(ctx.args().tensor(0));
            l.put(0, ProcessHandle.current().pid());
            l.put(1, ctx.groupIndex());
            if (ctx.args().scalarCount() > 0) {
                l.put(2, ctx.args().scalar(0));
            }
        }
    }

    /** A kernel whose constructor throws in a JVM started with {@code -Dstrata.test.broken=true}. */
    public static final class BrokenConstructor implements ChipKernel {
        public BrokenConstructor() {
            if (Boolean.getBoolean("strata.test.broken")) {
                throw new IllegalStateException("cannot construct me: strata.test.broken is set");
            }
        }

        @Override
        public void run(TaskContext ctx) {
        }
    }
}
