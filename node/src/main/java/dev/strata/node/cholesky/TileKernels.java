package dev.strata.node.cholesky;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorMemory;
import java.nio.FloatBuffer;

/** What the tile kernels share: argument checks and the row-split shape of TRSM, SYRK and GEMM. */
final class TileKernels {

    private TileKernels() {
    }

    /** The task's args, checked to hold {@code tensors} tensors. */
    static TaskArgsView args(TaskContext ctx, String kernel, int tensors) {
        TaskArgsView args = ctx.args();
        if (args.tensorCount() != tensors) {
            throw new IllegalArgumentException(kernel + " expects " + tensors + " tile tensors, got " + args.tensorCount());
        }
        return args;
    }

    /** The common order of the square FLOAT32 tiles of {@code args}, or IllegalArgumentException naming the odd one. */
    static int order(String kernel, TaskArgsView args) {
        int n = -1;
        for (int i = 0; i < args.tensorCount(); i++) {
            ContinuousTensor t = args.tensor(i);
            if (t.dtype() != DataType.FLOAT32 || t.ndims() != 2 || t.shape(0) != t.shape(1)
                    || (n >= 0 && t.shape(0) != n)) {
                throw new IllegalArgumentException(kernel + " expects square FLOAT32 tiles of one size, got " + t);
            }
            n = t.shape(0);
        }
        return n;
    }

    /** First row this block updates. */
    static int rowFrom(TaskContext ctx, int n) {
        return TileMath.rowFrom(n, ctx.config().blockDim(), checkedBlock(ctx));
    }

    /** One past the last row this block updates. */
    static int rowTo(TaskContext ctx, int n) {
        return TileMath.rowTo(n, ctx.config().blockDim(), checkedBlock(ctx));
    }

    /** What TRSM, SYRK and GEMM do to rows [from, to) of {@code out} (this block's rows of the output tile). */
    @FunctionalInterface
    interface RowUpdate {
        void apply(TensorMemory memory, TaskArgsView args, TileScratch scratch, float[] out, int n, int from, int to);
    }

    /**
     * The common shape of the row-split kernels: tensors 0..k-2 are input tiles, the last is the INOUT
     * output; this block copies its own output rows into the thread's scratch, lets {@code update} fetch the
     * inputs it needs and update them, and writes them back.
     */
    static void updateRows(TaskContext ctx, String kernel, int tensors, RowUpdate update) {
        TaskArgsView args = args(ctx, kernel, tensors);
        int n = order(kernel, args);
        int from = rowFrom(ctx, n);
        int to = rowTo(ctx, n);
        if (from == to) {
            return;
        }
        TensorMemory memory = ctx.memory();
        FloatBuffer out = memory.floats(args.tensor(tensors - 1));
        TileScratch scratch = TileScratch.ofThisThread(n);
        float[] rows = scratch.rows(TileScratch.OUT, out, from, to);
        update.apply(memory, args, scratch, rows, n, from, to);
        scratch.writeRows(rows, out, from, to);
    }

    private static int checkedBlock(TaskContext ctx) {
        int block = ctx.blockIndex();
        if (block < 0 || block >= ctx.config().blockDim()) {
            throw new IllegalArgumentException("block index " + block + " out of 0.." + (ctx.config().blockDim() - 1));
        }
        return block;
    }
}
