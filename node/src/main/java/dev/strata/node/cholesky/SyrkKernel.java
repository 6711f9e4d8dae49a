package dev.strata.node.cholesky;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorMemory;

/**
 * SYRK(i, k): A[i][i] −= A[i][k]·A[i][k]ᵀ on the lower triangle. Tensors: 0 = A[i][k] (INPUT),
 * 1 = A[i][i] (INOUT). Each block updates its own rows of A[i][i].
 */
public final class SyrkKernel implements ChipKernel {
    /** The name this kernel is registered under. */
    public static final String NAME = "syrk";

    @Override
    public void run(TaskContext ctx) {
        TaskArgsView args = TileKernels.args(ctx, NAME, 2);
        ContinuousTensor a = args.tensor(0);
        ContinuousTensor c = args.tensor(1);
        int n = TileKernels.order(NAME, a, c);
        int from = TileKernels.rowFrom(ctx, n);
        int to = TileKernels.rowTo(ctx, n);
        if (from == to) {
            return;
        }
        TensorMemory memory = ctx.memory();
        float[] out = TileKernels.readRows(memory, c, n, from, to);
        TileMath.syrk(memory.readFloats(a), out, n, from, to);
        TileKernels.writeRows(memory, c, out, n, from, to);
    }
}
