package dev.strata.node.cholesky;

/**
 * The dense arithmetic of a tiled Cholesky factorisation A = L·Lᵀ, on square {@code n × n} row-major
 * float tiles. Pure functions of arrays — no threads, no tensor memory — so each one is tested directly
 * against a double-precision reference.
 *
 * <p>TRSM, SYRK and GEMM update only rows {@code [from, to)} of their output tile and read nothing else of
 * it, so the blocks of one kernel call can run in parallel on disjoint row ranges ({@link #rowFrom}).
 */
public final class TileMath {

    private TileMath() {
    }

    /** First row of block {@code block} when {@code n} rows are split as evenly as possible into {@code blocks}. */
    public static int rowFrom(int n, int blocks, int block) {
        if (blocks < 1 || block < 0 || block > blocks) {
            throw new IllegalArgumentException("block " + block + " out of range for " + blocks + " blocks");
        }
        return (int) ((long) n * block / blocks);
    }

    /** One past the last row of block {@code block}; see {@link #rowFrom}. */
    public static int rowTo(int n, int blocks, int block) {
        return rowFrom(n, blocks, block + 1);
    }

    /**
     * Factorises the tile in place: its lower triangle becomes L with A = L·Lᵀ, its strict upper triangle
     * becomes 0. Only the lower triangle of {@code a} is read. Sums are accumulated in double.
     *
     * @throws ArithmeticException if the tile is not (numerically) positive definite
     */
    public static void potrf(float[] a, int n) {
        checkTile(a, n, "a");
        for (int j = 0; j < n; j++) {
            int jr = j * n;
            double d = a[jr + j];
            for (int m = 0; m < j; m++) {
                d -= (double) a[jr + m] * a[jr + m];
            }
            if (!(d > 0)) {
                throw new ArithmeticException("tile is not positive definite: pivot " + j + " is " + d);
            }
            double ljj = Math.sqrt(d);
            a[jr + j] = (float) ljj;
            for (int i = j + 1; i < n; i++) {
                int ir = i * n;
                double s = a[ir + j];
                for (int m = 0; m < j; m++) {
                    s -= (double) a[ir + m] * a[jr + m];
                }
                a[ir + j] = (float) (s / ljj);
            }
            for (int c = j + 1; c < n; c++) {
                a[jr + c] = 0f;
            }
        }
    }

    /**
     * Triangular solve from the right: rows {@code [from, to)} of {@code b} become X with X·Lᵀ = B, where
     * {@code l} holds L in its lower triangle (as {@link #potrf} leaves it).
     */
    public static void trsm(float[] l, float[] b, int n, int from, int to) {
        checkTile(l, n, "l");
        checkTile(b, n, "b");
        checkRows(n, from, to);
        float[] lt = transpose(l, n);   // lt[c][c2] = L[c2][c]: the inner loop runs along a row
        for (int r = from; r < to; r++) {
            int rr = r * n;
            for (int c = 0; c < n; c++) {
                float x = b[rr + c] / l[c * n + c];
                b[rr + c] = x;
                int cr = c * n;
                for (int c2 = c + 1; c2 < n; c2++) {
                    b[rr + c2] -= x * lt[cr + c2];
                }
            }
        }
    }

    /**
     * Symmetric rank-n update of a diagonal tile: C := C − A·Aᵀ on the lower triangle (column ≤ row) of rows
     * {@code [from, to)}; the strict upper triangle of C is left as it is.
     */
    public static void syrk(float[] a, float[] c, int n, int from, int to) {
        checkTile(a, n, "a");
        checkTile(c, n, "c");
        checkRows(n, from, to);
        float[] at = transpose(a, n);
        for (int r = from; r < to; r++) {
            int rr = r * n;
            for (int m = 0; m < n; m++) {
                float x = a[rr + m];
                int mr = m * n;
                for (int col = 0; col <= r; col++) {
                    c[rr + col] -= x * at[mr + col];
                }
            }
        }
    }

    /** General update of an off-diagonal tile: rows {@code [from, to)} of C := C − A·Bᵀ. */
    public static void gemm(float[] a, float[] b, float[] c, int n, int from, int to) {
        checkTile(a, n, "a");
        checkTile(b, n, "b");
        checkTile(c, n, "c");
        checkRows(n, from, to);
        float[] bt = transpose(b, n);
        for (int r = from; r < to; r++) {
            int rr = r * n;
            for (int m = 0; m < n; m++) {
                float x = a[rr + m];
                int mr = m * n;
                for (int col = 0; col < n; col++) {
                    c[rr + col] -= x * bt[mr + col];
                }
            }
        }
    }

    /**
     * Calls every kernel {@code times} times on {@code n × n} tiles. The JIT compiles a method fully only
     * after enough calls; a few calls on big tiles get just on-stack-replaced loops, which run slower.
     */
    public static void exercise(int n, int times) {
        float[] l = new float[n * n];
        float[] a = new float[n * n];
        float[] c = new float[n * n];
        for (int i = 0; i < n; i++) {
            l[i * n + i] = 1;
            a[i * n + (n - 1 - i)] = 0.5f;
        }
        for (int t = 0; t < times; t++) {
            float[] p = l.clone();
            potrf(p, n);
            trsm(p, c, n, 0, n);
            syrk(a, c, n, 0, n);
            gemm(a, a, c, n, 0, n);
        }
    }

    /** The transpose of a square row-major tile. */
    static float[] transpose(float[] a, int n) {
        float[] t = new float[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                t[c * n + r] = a[r * n + c];
            }
        }
        return t;
    }

    private static void checkTile(float[] t, int n, String name) {
        if (n < 1 || t.length != n * n) {
            throw new IllegalArgumentException("tile " + name + " has " + t.length + " elements, expected " + n + "x" + n);
        }
    }

    private static void checkRows(int n, int from, int to) {
        if (from < 0 || from > to || to > n) {
            throw new IllegalArgumentException("row range [" + from + ", " + to + ") out of [0, " + n + ")");
        }
    }
}
