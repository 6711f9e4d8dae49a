package dev.strata.node.cholesky;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import java.nio.FloatBuffer;

/**
 * POTRF(k): A[k][k] := L[k][k], the Cholesky factor of the diagonal tile. Tensor 0: A[k][k] (INOUT).
 * A serial kernel: with blockDim &gt; 1 block 0 does the work and the other blocks return at once.
 */
public final class PotrfKernel implements ChipKernel {
    /** The name this kernel is registered under. */
    public static final String NAME = "potrf";

    @Override
    public void run(TaskContext ctx) {
        TaskArgsView args = TileKernels.args(ctx, NAME, 1);
        int n = TileKernels.order(NAME, args);
        if (ctx.blockIndex() != 0) {
            return;
        }
        FloatBuffer a = ctx.memory().floats(args.tensor(0));
        TileScratch scratch = TileScratch.ofThisThread(n);
        float[] tile = scratch.rows(TileScratch.OUT, a, 0, n);
        TileMath.potrf(tile, n);
        scratch.writeRows(tile, a, 0, n);
    }
}
