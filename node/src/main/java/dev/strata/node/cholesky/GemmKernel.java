package dev.strata.node.cholesky;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorMemory;

/**
 * GEMM(i, j, k): A[i][j] −= A[i][k]·A[j][k]ᵀ. Tensors: 0 = A[i][k] (INPUT), 1 = A[j][k] (INPUT),
 * 2 = A[i][j] (INOUT). Each block updates its own rows of A[i][j].
 */
public final class GemmKernel implements ChipKernel {
    /** The name this kernel is registered under. */
    public static final String NAME = "gemm";

    @Override
    public void run(TaskContext ctx) {
        TaskArgsView args = TileKernels.args(ctx, NAME, 3);
        ContinuousTensor a = args.tensor(0);
        ContinuousTensor b = args.tensor(1);
        ContinuousTensor c = args.tensor(2);
        int n = TileKernels.order(NAME, a, b, c);
        int from = TileKernels.rowFrom(ctx, n);
        int to = TileKernels.rowTo(ctx, n);
        if (from == to) {
            return;
        }
        TensorMemory memory = ctx.memory();
        float[] out = TileKernels.readRows(memory, c, n, from, to);
        TileMath.gemm(memory.readFloats(a), memory.readFloats(b), out, n, from, to);
        TileKernels.writeRows(memory, c, out, n, from, to);
    }
}
