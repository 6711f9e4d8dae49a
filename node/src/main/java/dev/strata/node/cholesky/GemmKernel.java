package dev.strata.node.cholesky;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;

/**
 * GEMM(i, j, k): A[i][j] −= A[i][k]·A[j][k]ᵀ. Tensors: 0 = A[i][k] (INPUT), 1 = A[j][k] (INPUT),
 * 2 = A[i][j] (INOUT). Each block updates its own rows of A[i][j].
 */
public final class GemmKernel implements ChipKernel {
    /** The name this kernel is registered under. */
    public static final String NAME = "gemm";

    @Override
    public void run(TaskContext ctx) {
        TileKernels.updateRows(ctx, NAME, 3, (memory, args, scratch, out, n, from, to) -> TileMath.gemm(
                scratch.rows(TileScratch.FIRST, memory.floats(args.tensor(0)), from, to),
                scratch.transposed(TileScratch.SECOND, memory.floats(args.tensor(1))), out, n, from, to));
    }
}
