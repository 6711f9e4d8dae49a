package dev.strata.node.cholesky;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorMemory;

/**
 * TRSM(i, k): A[i][k] := A[i][k]·L[k][k]⁻ᵀ. Tensors: 0 = A[k][k] (INPUT), 1 = A[i][k] (INOUT). Each block
 * solves its own rows of A[i][k].
 */
public final class TrsmKernel implements ChipKernel {
    /** The name this kernel is registered under. */
    public static final String NAME = "trsm";

    @Override
    public void run(TaskContext ctx) {
        TaskArgsView args = TileKernels.args(ctx, NAME, 2);
        ContinuousTensor l = args.tensor(0);
        ContinuousTensor b = args.tensor(1);
        int n = TileKernels.order(NAME, l, b);
        int from = TileKernels.rowFrom(ctx, n);
        int to = TileKernels.rowTo(ctx, n);
        if (from == to) {
            return;
        }
        TensorMemory memory = ctx.memory();
        float[] out = TileKernels.readRows(memory, b, n, from, to);
        TileMath.trsm(memory.readFloats(l), out, n, from, to);
        TileKernels.writeRows(memory, b, out, n, from, to);
    }
}
