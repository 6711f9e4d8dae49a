package dev.strata.node.matmul;

import dev.strata.node.cholesky.TileMath;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorMemory;

/**
 * The GEMM chip kernel of the level4-matmul job: C = A x B on one tile of rows. Tensors: 0 = A [r, k] (INPUT),
 * 1 = B [k, m] (INPUT), 2 = C [r, m] (OUTPUT_EXISTING), all FLOAT32 and row-major. Each block of the call
 * ({@code CallConfig.blockDim}) computes its own rows of C and writes nothing else, so blocks run in parallel.
 */
public final class MatmulKernel implements ChipKernel {
    /** The name this kernel is registered under. */
    public static final String NAME = "matmul-rows";

    @Override
    public void run(TaskContext ctx) {
        TaskArgsView args = ctx.args();
        if (args.tensorCount() != 3) {
            throw new IllegalArgumentException(NAME + " expects 3 tensors (A, B, C), got " + args.tensorCount());
        }
        ContinuousTensor a = args.tensor(0);
        ContinuousTensor b = args.tensor(1);
        ContinuousTensor c = args.tensor(2);
        PanelPlan.requireProduct(NAME, a, b, c);
        int rows = a.shape(0);
        int k = a.shape(1);
        int m = b.shape(1);
        int blocks = ctx.config().blockDim();
        int block = ctx.blockIndex();
        if (block < 0 || block >= blocks) {
            throw new IllegalArgumentException(NAME + ": block index " + block + " out of 0.." + (blocks - 1));
        }
        int from = TileMath.rowFrom(rows, blocks, block);
        int to = TileMath.rowTo(rows, blocks, block);
        if (from == to) {
            return;
        }
        TensorMemory memory = ctx.memory();
        float[] aRows = new float[(to - from) * k];
        memory.floats(a).get(from * k, aRows, 0, aRows.length);
        float[] cRows = new float[(to - from) * m];
        MatmulMath.multiply(aRows, memory.readFloats(b), cRows, to - from, k, m);
        memory.floats(c).put(from * m, cRows, 0, cRows.length);
    }
}
