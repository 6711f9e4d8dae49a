package dev.strata.node.cholesky;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;
import java.nio.FloatBuffer;

/**
 * SYRK(i, k): A[i][i] −= A[i][k]·A[i][k]ᵀ on the lower triangle. Tensors: 0 = A[i][k] (INPUT),
 * 1 = A[i][i] (INOUT). Each block updates its own rows of A[i][i].
 */
public final class SyrkKernel implements ChipKernel {
    /** The name this kernel is registered under. */
    public static final String NAME = "syrk";

    @Override
    public void run(TaskContext ctx) {
        TileKernels.updateRows(ctx, NAME, 2, (memory, args, scratch, out, n, from, to) -> {
            FloatBuffer a = memory.floats(args.tensor(0));
            TileMath.syrk(scratch.rows(TileScratch.FIRST, a, from, to), scratch.transposed(TileScratch.SECOND, a),
                    out, n, from, to);
        });
    }
}
