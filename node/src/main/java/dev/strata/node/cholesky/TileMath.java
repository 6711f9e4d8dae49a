package dev.strata.node.cholesky;

/**
 * The dense arithmetic of a tiled Cholesky factorisation A = L·Lᵀ, on square {@code n × n} row-major
 * float tiles. Pure functions of arrays — no threads, no tensor memory, no allocation — so each one is tested
 * directly against a double-precision reference.
 *
 * <p>TRSM, SYRK and GEMM update only rows {@code [from, to)} of their output tile and read nothing else of
 * it, so the blocks of one kernel call can run in parallel on disjoint row ranges ({@link #rowFrom}). Their
 * second operand is passed transposed ({@link #transpose}) so that every inner loop runs along a row of two
 * arrays, which the JIT turns into SIMD code.
 *
 * <p><b>Blocking.</b> The updates are cache-blocked: the {@code m} (inner-product) index is cut into panels of
 * {@link #DEPTH_PANEL}, the output columns into panels of {@link #COLUMN_PANEL}, so the slice of the transposed
 * operand one pass reads (32 × 128 floats, 16 KiB) stays in L1 while every output row streams past it. A
 * register-blocked micro-kernel updates 4 output rows with 4 values of {@code m} per pass over a column panel:
 * each loaded element of the transposed operand is used 4 times and each output element is loaded and stored
 * once per 4 products instead of once per product.
 *
 * <p><b>Order of operations.</b> Every output element still receives its products one at a time in
 * increasing {@code m} ({@code c - x0·b0 - x1·b1 - …} is evaluated left to right, Java never reassociates or
 * fuses float arithmetic), so the blocked kernels give bit for bit the results of the plain triple loops, for
 * any blocking, row split or block order.
 */
public final class TileMath {
    /** Values of the inner-product index per cache panel. */
    static final int DEPTH_PANEL = 32;
    /** Output columns per cache panel. */
    static final int COLUMN_PANEL = 128;

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
     * becomes 0. Only the lower triangle of {@code a} is read. Sums are accumulated in double, four rows at a
     * time (four independent dependency chains, so the FPU is not waiting on one running sum).
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
            int i = j + 1;
            for (; i + 4 <= n; i += 4) {
                int r0 = i * n;
                int r1 = r0 + n;
                int r2 = r1 + n;
                int r3 = r2 + n;
                double s0 = a[r0 + j];
                double s1 = a[r1 + j];
                double s2 = a[r2 + j];
                double s3 = a[r3 + j];
                for (int m = 0; m < j; m++) {
                    double q = a[jr + m];
                    s0 -= a[r0 + m] * q;
                    s1 -= a[r1 + m] * q;
                    s2 -= a[r2 + m] * q;
                    s3 -= a[r3 + m] * q;
                }
                a[r0 + j] = (float) (s0 / ljj);
                a[r1 + j] = (float) (s1 / ljj);
                a[r2 + j] = (float) (s2 / ljj);
                a[r3 + j] = (float) (s3 / ljj);
            }
            for (; i < n; i++) {
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
     * {@code lt} is Lᵀ ({@link #transpose} of the factor {@link #potrf} leaves). Blocked by column panels: a
     * panel's columns are solved (a small triangle), then the panel's part of X updates every later column at
     * once with the blocked rank update.
     */
    public static void trsm(float[] lt, float[] b, int n, int from, int to) {
        checkTile(lt, n, "lt");
        checkTile(b, n, "b");
        checkRows(n, from, to);
        for (int c0 = 0; c0 < n; c0 += DEPTH_PANEL) {
            int c1 = Math.min(n, c0 + DEPTH_PANEL);
            for (int r = from; r < to; r++) {
                int rr = r * n;
                for (int c = c0; c < c1; c++) {
                    int cr = c * n;
                    float x = b[rr + c] / lt[cr + c];
                    b[rr + c] = x;
                    for (int c2 = c + 1; c2 < c1; c2++) {
                        b[rr + c2] -= x * lt[cr + c2];
                    }
                }
            }
            subtractProducts(b, lt, b, n, from, to, c0, c1, c1, n, false);
        }
    }

    /**
     * Symmetric rank-n update of a diagonal tile: C := C − A·Aᵀ on the lower triangle (column ≤ row) of rows
     * {@code [from, to)}; the strict upper triangle of C is left as it is. {@code at} is Aᵀ.
     */
    public static void syrk(float[] a, float[] at, float[] c, int n, int from, int to) {
        checkTile(a, n, "a");
        checkTile(at, n, "at");
        checkTile(c, n, "c");
        checkRows(n, from, to);
        subtractProducts(a, at, c, n, from, to, 0, n, 0, n, true);
    }

    /** General update of an off-diagonal tile: rows {@code [from, to)} of C := C − A·Bᵀ, with {@code bt} = Bᵀ. */
    public static void gemm(float[] a, float[] bt, float[] c, int n, int from, int to) {
        checkTile(a, n, "a");
        checkTile(bt, n, "bt");
        checkTile(c, n, "c");
        checkRows(n, from, to);
        subtractProducts(a, bt, c, n, from, to, 0, n, 0, n, false);
    }

    /**
     * The blocked core of TRSM, SYRK and GEMM: for rows r in [from, to) and columns col in [col0, col1) (and
     * col ≤ r if {@code lower}), C[r][col] −= A[r][m]·Bt[m][col] for m = m0, m0 + 1, …, m1 − 1, in that order.
     * {@code a} and {@code c} may be the same array if the columns [m0, m1) and [col0, col1) do not overlap.
     */
    static void subtractProducts(float[] a, float[] bt, float[] c, int n, int from, int to,
                                 int m0, int m1, int col0, int col1, boolean lower) {
        for (int p0 = m0; p0 < m1; p0 += DEPTH_PANEL) {
            int p1 = Math.min(m1, p0 + DEPTH_PANEL);
            for (int q0 = col0; q0 < col1; q0 += COLUMN_PANEL) {
                int q1 = Math.min(col1, q0 + COLUMN_PANEL);
                int first = lower ? Math.max(from, q0) : from;   // rows above q0 have no column in this panel
                int r = first;
                for (; r + 4 <= to; r += 4) {
                    int common = lower ? Math.min(q1, r + 1) : q1;   // columns all four rows update
                    panelFourRows(a, bt, c, n, r, p0, p1, q0, common);
                    if (lower) {
                        for (int k = 1; k < 4; k++) {
                            panelRow(a, bt, c, n, r + k, p0, p1, common, Math.min(q1, r + k + 1));
                        }
                    }
                }
                for (; r < to; r++) {
                    panelRow(a, bt, c, n, r, p0, p1, q0, lower ? Math.min(q1, r + 1) : q1);
                }
            }
        }
    }

    /** The micro-kernel: rows r..r+3, m in [p0, p1) four at a time, columns [q0, q1). */
    private static void panelFourRows(float[] a, float[] bt, float[] c, int n, int r, int p0, int p1, int q0, int q1) {
        if (q0 >= q1) {
            return;
        }
        int r0 = r * n;
        int r1 = r0 + n;
        int r2 = r1 + n;
        int r3 = r2 + n;
        int m = p0;
        for (; m + 4 <= p1; m += 4) {
            float x0 = a[r0 + m];
            float x1 = a[r0 + m + 1];
            float x2 = a[r0 + m + 2];
            float x3 = a[r0 + m + 3];
            float y0 = a[r1 + m];
            float y1 = a[r1 + m + 1];
            float y2 = a[r1 + m + 2];
            float y3 = a[r1 + m + 3];
            float z0 = a[r2 + m];
            float z1 = a[r2 + m + 1];
            float z2 = a[r2 + m + 2];
            float z3 = a[r2 + m + 3];
            float w0 = a[r3 + m];
            float w1 = a[r3 + m + 1];
            float w2 = a[r3 + m + 2];
            float w3 = a[r3 + m + 3];
            int b0 = m * n;
            int b1 = b0 + n;
            int b2 = b1 + n;
            int b3 = b2 + n;
            for (int col = q0; col < q1; col++) {
                float v0 = bt[b0 + col];
                float v1 = bt[b1 + col];
                float v2 = bt[b2 + col];
                float v3 = bt[b3 + col];
                c[r0 + col] = c[r0 + col] - x0 * v0 - x1 * v1 - x2 * v2 - x3 * v3;
                c[r1 + col] = c[r1 + col] - y0 * v0 - y1 * v1 - y2 * v2 - y3 * v3;
                c[r2 + col] = c[r2 + col] - z0 * v0 - z1 * v1 - z2 * v2 - z3 * v3;
                c[r3 + col] = c[r3 + col] - w0 * v0 - w1 * v1 - w2 * v2 - w3 * v3;
            }
        }
        for (; m < p1; m++) {
            float x0 = a[r0 + m];
            float y0 = a[r1 + m];
            float z0 = a[r2 + m];
            float w0 = a[r3 + m];
            int b0 = m * n;
            for (int col = q0; col < q1; col++) {
                float v0 = bt[b0 + col];
                c[r0 + col] -= x0 * v0;
                c[r1 + col] -= y0 * v0;
                c[r2 + col] -= z0 * v0;
                c[r3 + col] -= w0 * v0;
            }
        }
    }

    /** One row r, m in [p0, p1) four at a time, columns [q0, q1): the rows left over by the micro-kernel. */
    private static void panelRow(float[] a, float[] bt, float[] c, int n, int r, int p0, int p1, int q0, int q1) {
        if (q0 >= q1) {
            return;
        }
        int rr = r * n;
        int m = p0;
        for (; m + 4 <= p1; m += 4) {
            float x0 = a[rr + m];
            float x1 = a[rr + m + 1];
            float x2 = a[rr + m + 2];
            float x3 = a[rr + m + 3];
            int b0 = m * n;
            int b1 = b0 + n;
            int b2 = b1 + n;
            int b3 = b2 + n;
            for (int col = q0; col < q1; col++) {
                c[rr + col] = c[rr + col] - x0 * bt[b0 + col] - x1 * bt[b1 + col] - x2 * bt[b2 + col] - x3 * bt[b3 + col];
            }
        }
        for (; m < p1; m++) {
            float x0 = a[rr + m];
            int b0 = m * n;
            for (int col = q0; col < q1; col++) {
                c[rr + col] -= x0 * bt[b0 + col];
            }
        }
    }

    /** Writes the transpose of the square row-major tile {@code a} into {@code t}, in 16 × 16 blocks. */
    public static void transpose(float[] a, float[] t, int n) {
        checkTile(a, n, "a");
        checkTile(t, n, "t");
        for (int r0 = 0; r0 < n; r0 += 16) {
            int r1 = Math.min(n, r0 + 16);
            for (int c0 = 0; c0 < n; c0 += 16) {
                int c1 = Math.min(n, c0 + 16);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        t[c * n + r] = a[r * n + c];
                    }
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
        float[] at = new float[n * n];
        float[] c = new float[n * n];
        float[] p = new float[n * n];
        for (int i = 0; i < n; i++) {
            l[i * n + i] = 1;
            a[i * n + (n - 1 - i)] = 0.5f;
        }
        transpose(a, at, n);
        for (int t = 0; t < times; t++) {
            System.arraycopy(l, 0, p, 0, p.length);
            potrf(p, n);
            trsm(p, c, n, 0, n);   // p is the identity: its own transpose
            syrk(a, at, c, n, 0, n);
            gemm(a, at, c, n, 0, n);
        }
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
