package dev.strata.node.cholesky;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorMemory;

/**
 * POTRF(k): A[k][k] := L[k][k], the Cholesky factor of the diagonal tile. Tensor 0: A[k][k] (INOUT).
 * A serial kernel: with blockDim &gt; 1 block 0 does the work and the other blocks return at once.
 */
public final class PotrfKernel implements ChipKernel {
    /** The name this kernel is registered under. */
    public static final String NAME = "potrf";

    @Override
    public void run(TaskContext ctx) {
        ContinuousTensor a = TileKernels.args(ctx, NAME, 1).tensor(0);
        int n = TileKernels.order(NAME, a);
        if (ctx.blockIndex() != 0) {
            return;
        }
        TensorMemory memory = ctx.memory();
        float[] tile = memory.readFloats(a);
        TileMath.potrf(tile, n);
        memory.write(a, tile);
    }
}
