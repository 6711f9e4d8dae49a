package dev.strata.node.cholesky;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;

/**
 * TRSM(i, k): A[i][k] := A[i][k]·L[k][k]⁻ᵀ. Tensors: 0 = A[k][k] (INPUT), 1 = A[i][k] (INOUT). Each block
 * solves its own rows of A[i][k].
 */
public final class TrsmKernel implements ChipKernel {
    /** The name this kernel is registered under. */
    public static final String NAME = "trsm";

    @Override
    public void run(TaskContext ctx) {
        TileKernels.updateRows(ctx, NAME, 2, (memory, args, scratch, out, n, from, to) -> TileMath.trsm(
                scratch.transposed(TileScratch.SECOND, memory.floats(args.tensor(0))), out, n, from, to));
    }
}
