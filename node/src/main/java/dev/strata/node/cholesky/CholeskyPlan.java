package dev.strata.node.cholesky;

import java.util.ArrayList;
import java.util.List;

/** The kernel calls of a right-looking tiled Cholesky factorisation, in submission order. */
public final class CholeskyPlan {

    private CholeskyPlan() {
    }

    /**
     * For each panel k: POTRF(k); TRSM(i, k) for every tile below it; then the trailing update, SYRK(i, k) on
     * each diagonal tile and GEMM(i, j, k) on each tile below the diagonal. Run in this order one by one, the
     * calls compute the factor; the engine runs them in any order the tags allow.
     */
    public static List<TileOp> rightLooking(int tiles) {
        if (tiles < 1) {
            throw new IllegalArgumentException("tiles must be >= 1, got " + tiles);
        }
        List<TileOp> ops = new ArrayList<>((int) taskCount(tiles));
        for (int k = 0; k < tiles; k++) {
            ops.add(TileOp.potrf(k));
            for (int i = k + 1; i < tiles; i++) {
                ops.add(TileOp.trsm(i, k));
            }
            for (int i = k + 1; i < tiles; i++) {
                ops.add(TileOp.syrk(i, k));
                for (int j = k + 1; j < i; j++) {
                    ops.add(TileOp.gemm(i, j, k));
                }
            }
        }
        return ops;
    }

    /** Calls of a factorisation with {@code t} tiles per row: t POTRF, t(t−1)/2 TRSM and SYRK, t(t−1)(t−2)/6 GEMM. */
    public static long taskCount(int t) {
        long tt = t;
        return tt + tt * (tt - 1) + tt * (tt - 1) * (tt - 2) / 6;
    }
}
