package dev.strata.node.cholesky;

import static dev.strata.protocol.TensorArgType.INOUT;
import static dev.strata.protocol.TensorArgType.INPUT;

import dev.strata.protocol.TaskArgs;

/**
 * One kernel call of the tiled factorisation: POTRF(k), TRSM(i, k), SYRK(i, k) or GEMM(i, j, k) (unused
 * indices are -1). Its tags alone carry the dependencies: each call reads its INPUT tiles and updates its
 * INOUT tile.
 */
public record TileOp(CholeskyKernel kernel, int i, int j, int k) {

    /** POTRF(k): INOUT A[k][k]. */
    public static TileOp potrf(int k) {
        return new TileOp(CholeskyKernel.POTRF, -1, -1, k);
    }

    /** TRSM(i, k): INPUT A[k][k], INOUT A[i][k]. */
    public static TileOp trsm(int i, int k) {
        return new TileOp(CholeskyKernel.TRSM, i, -1, k);
    }

    /** SYRK(i, k): INPUT A[i][k], INOUT A[i][i]. */
    public static TileOp syrk(int i, int k) {
        return new TileOp(CholeskyKernel.SYRK, i, -1, k);
    }

    /** GEMM(i, j, k): INPUT A[i][k], INPUT A[j][k], INOUT A[i][j]. */
    public static TileOp gemm(int i, int j, int k) {
        return new TileOp(CholeskyKernel.GEMM, i, j, k);
    }

    /** The call's tensors, tagged, in the order its kernel expects them. */
    public TaskArgs args(TileMatrix m) {
        return switch (kernel) {
            case POTRF -> new TaskArgs().addTensor(m.tile(k, k), INOUT);
            case TRSM -> new TaskArgs().addTensor(m.tile(k, k), INPUT).addTensor(m.tile(i, k), INOUT);
            case SYRK -> new TaskArgs().addTensor(m.tile(i, k), INPUT).addTensor(m.tile(i, i), INOUT);
            case GEMM -> new TaskArgs().addTensor(m.tile(i, k), INPUT).addTensor(m.tile(j, k), INPUT)
                    .addTensor(m.tile(i, j), INOUT);
        };
    }

    @Override
    public String toString() {
        return switch (kernel) {
            case POTRF -> "POTRF(" + k + ")";
            case TRSM, SYRK -> kernel + "(" + i + "," + k + ")";
            case GEMM -> "GEMM(" + i + "," + j + "," + k + ")";
        };
    }
}
