package dev.strata.node.cholesky;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorMemory;
import java.nio.FloatBuffer;

/** What the tile kernels share: argument checks and copying tiles (or some of their rows) in and out. */
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

    /** The common order of square FLOAT32 tiles, or IllegalArgumentException naming the odd one. */
    static int order(String kernel, ContinuousTensor... tiles) {
        int n = -1;
        for (ContinuousTensor t : tiles) {
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

    /** What TRSM, SYRK and GEMM do to the rows [from, to) of their output tile, given the input tiles. */
    @FunctionalInterface
    interface RowUpdate {
        void apply(float[][] inputs, float[] out, int n, int from, int to);
    }

    /**
     * The common shape of the row-split kernels: tensors 0..k-2 are input tiles, the last is the INOUT
     * output; this block reads the inputs and its own output rows, applies {@code update}, writes them back.
     */
    static void updateRows(TaskContext ctx, String kernel, int tensors, RowUpdate update) {
        TaskArgsView args = args(ctx, kernel, tensors);
        ContinuousTensor[] tiles = new ContinuousTensor[tensors];
        for (int i = 0; i < tensors; i++) {
            tiles[i] = args.tensor(i);
        }
        int n = order(kernel, tiles);
        int from = rowFrom(ctx, n);
        int to = rowTo(ctx, n);
        if (from == to) {
            return;
        }
        TensorMemory memory = ctx.memory();
        float[][] inputs = new float[tensors - 1][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = memory.readFloats(tiles[i]);
        }
        ContinuousTensor out = tiles[tensors - 1];
        float[] rows = readRows(memory, out, n, from, to);
        update.apply(inputs, rows, n, from, to);
        writeRows(memory, out, rows, n, from, to);
    }

    /** A full-size copy of the tile in which only rows [from, to) are filled. */
    static float[] readRows(TensorMemory memory, ContinuousTensor t, int n, int from, int to) {
        float[] tile = new float[n * n];
        memory.floats(t).get(from * n, tile, from * n, (to - from) * n);
        return tile;
    }

    /** Writes back rows [from, to) of {@code tile}, and nothing else: other blocks own the other rows. */
    static void writeRows(TensorMemory memory, ContinuousTensor t, float[] tile, int n, int from, int to) {
        FloatBuffer f = memory.floats(t);
        f.put(from * n, tile, from * n, (to - from) * n);
    }

    private static int checkedBlock(TaskContext ctx) {
        int block = ctx.blockIndex();
        if (block < 0 || block >= ctx.config().blockDim()) {
            throw new IllegalArgumentException("block index " + block + " out of 0.." + (ctx.config().blockDim() - 1));
        }
        return block;
    }
}
