package dev.strata.node.matmul;

import dev.strata.node.cholesky.TileMath;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * How C = A x B is cut up: the rows of C into one panel per engine (level 4), a panel's rows into tiles of
 * {@code tile-size} rows, one chip task each (level 3). Rows of a row-major matrix are contiguous, so every piece is
 * a plain view of the matrix — nothing is copied to cut it — and pieces never overlap, so their tasks never wait on
 * each other.
 */
public final class PanelPlan {

    private PanelPlan() {
    }

    /** Rows {@code [from, to)} of a matrix. */
    public record Rows(int from, int to) {
        public Rows {
            if (from < 0 || to < from) {
                throw new IllegalArgumentException("bad row range [" + from + ", " + to + ")");
            }
        }

        /** How many rows. */
        public int count() {
            return to - from;
        }
    }

    /** {@code n} rows split as evenly as possible into {@code panels} panels (sizes differ by at most one). */
    public static List<Rows> panels(int n, int panels) {
        if (panels < 1 || panels > n) {
            throw new IllegalArgumentException(n + " rows cannot make " + panels + " panels of at least one row");
        }
        List<Rows> out = new ArrayList<>(panels);
        for (int i = 0; i < panels; i++) {
            out.add(new Rows(TileMath.rowFrom(n, panels, i), TileMath.rowTo(n, panels, i)));
        }
        return out;
    }

    /** {@code rows} rows in tiles of {@code tileRows}; the last tile has the remainder. */
    public static List<Rows> tiles(int rows, int tileRows) {
        if (tileRows < 1 || rows < 0) {
            throw new IllegalArgumentException("cannot tile " + rows + " rows by " + tileRows);
        }
        List<Rows> out = new ArrayList<>((rows + tileRows - 1) / tileRows);
        for (int from = 0; from < rows; from += tileRows) {
            out.add(new Rows(from, Math.min(rows, from + tileRows)));
        }
        return out;
    }

    /** Rows {@code rows} of {@code matrix}, a 2-D FLOAT32 row-major tensor, as a tensor of their own (a view). */
    public static ContinuousTensor rows(ContinuousTensor matrix, Rows rows) {
        requireMatrix(matrix, "matrix");
        if (rows.to() > matrix.shape(0)) {
            throw new IllegalArgumentException("rows [" + rows.from() + ", " + rows.to() + ") out of a matrix of "
                    + matrix.shape(0) + " rows");
        }
        int cols = matrix.shape(1);
        return ContinuousTensor.of(matrix.data() + (long) rows.from() * cols * Float.BYTES, DataType.FLOAT32,
                rows.count(), cols);
    }

    /** {@code t} if it is a 2-D FLOAT32 tensor, else IllegalArgumentException naming it as {@code what}. */
    static ContinuousTensor requireMatrix(ContinuousTensor t, String what) {
        if (t.dtype() != DataType.FLOAT32 || t.ndims() != 2) {
            throw new IllegalArgumentException(what + " must be a 2-D FLOAT32 tensor, got " + t);
        }
        return t;
    }

    /** Fails unless {@code a} [r, k], {@code b} [k, m] and {@code c} [r, m] fit C = A x B, naming {@code who}. */
    static void requireProduct(String who, ContinuousTensor a, ContinuousTensor b, ContinuousTensor c) {
        requireMatrix(a, who + ": A");
        requireMatrix(b, who + ": B");
        requireMatrix(c, who + ": C");
        if (a.shape(1) != b.shape(0) || a.shape(0) != c.shape(0) || b.shape(1) != c.shape(1)) {
            throw new IllegalArgumentException(who + ": shapes do not fit C = A x B: A " + shape(a) + ", B " + shape(b)
                    + ", C " + shape(c));
        }
    }

    private static String shape(ContinuousTensor t) {
        return "[" + t.shape(0) + ", " + t.shape(1) + "]";
    }
}
