package dev.strata.node.cholesky;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TileMathTest {
    private static final double TOL = 1e-4;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 16, 33})
    void potrfMatchesDoubleCholesky(int n) {
        double[] a = spd(n, 1);
        float[] tile = toFloat(a);
        TileMath.potrf(tile, n);

        double[] l = referenceCholesky(roundToFloat(a), n);
        assertClose(l, tile, TOL * n, "L");
        for (int r = 0; r < n; r++) {
            for (int c = r + 1; c < n; c++) {
                assertEquals(0f, tile[r * n + c], "upper triangle must be zeroed at " + r + "," + c);
            }
        }
    }

    @Test
    void potrfRejectsIndefiniteTile() {
        float[] tile = {1, 2, 2, 1};   // eigenvalues 3 and -1
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> TileMath.potrf(tile, 2));
        assertTrue(e.getMessage().contains("pivot 1"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 16, 31})
    void trsmSolvesAgainstTransposedFactor(int n) {
        double[] l = referenceCholesky(spd(n, 2), n);
        double[] b = random(n, 3);
        float[] lf = toFloat(l);
        float[] x = toFloat(b);
        TileMath.trsm(transposed(lf, n), x, n, 0, n);

        // reference: X·Lᵀ = B, forward substitution row by row in double
        double[] ld = roundToFloat(l);
        double[] bd = roundToFloat(b);
        double[] ref = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                double s = bd[r * n + c];
                for (int m = 0; m < c; m++) {
                    s -= ref[r * n + m] * ld[c * n + m];
                }
                ref[r * n + c] = s / ld[c * n + c];
            }
        }
        assertClose(ref, x, TOL, "X");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 16, 29})
    void syrkUpdatesLowerTriangleOnly(int n) {
        double[] a = random(n, 4);
        double[] c = random(n, 5);
        float[] cf = toFloat(c);
        float[] af = toFloat(a);
        TileMath.syrk(af, transposed(af, n), cf, n, 0, n);

        double[] ad = roundToFloat(a);
        double[] cd = roundToFloat(c);
        for (int r = 0; r < n; r++) {
            for (int col = 0; col < n; col++) {
                double expected = cd[r * n + col];
                if (col <= r) {
                    for (int m = 0; m < n; m++) {
                        expected -= ad[r * n + m] * ad[col * n + m];
                    }
                }
                assertEquals(expected, cf[r * n + col], TOL * n, "C[" + r + "][" + col + "]");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 16, 30})
    void gemmSubtractsProductWithTranspose(int n) {
        double[] a = random(n, 6);
        double[] b = random(n, 7);
        double[] c = random(n, 8);
        float[] cf = toFloat(c);
        TileMath.gemm(toFloat(a), transposed(toFloat(b), n), cf, n, 0, n);

        double[] ad = roundToFloat(a);
        double[] bd = roundToFloat(b);
        double[] ref = roundToFloat(c);
        for (int r = 0; r < n; r++) {
            for (int col = 0; col < n; col++) {
                for (int m = 0; m < n; m++) {
                    ref[r * n + col] -= ad[r * n + m] * bd[col * n + m];
                }
            }
        }
        assertClose(ref, cf, TOL * n, "C");
    }

    @ParameterizedTest
    @CsvSource({"17,1", "17,2", "17,3", "17,5", "17,17", "150,1", "150,3", "150,7"})
    void blockSplittingGivesIdenticalResults(int n, int blocks) {
        float[] l = transposed(toFloat(referenceCholesky(spd(n, 9), n)), n);
        float[] a = toFloat(random(n, 10));
        float[] at = transposed(a, n);
        float[] b = transposed(toFloat(random(n, 11)), n);
        float[] c = toFloat(random(n, 12));

        float[] trsmWhole = c.clone();
        float[] syrkWhole = c.clone();
        float[] gemmWhole = c.clone();
        TileMath.trsm(l, trsmWhole, n, 0, n);
        TileMath.syrk(a, at, syrkWhole, n, 0, n);
        TileMath.gemm(a, b, gemmWhole, n, 0, n);

        float[] trsmSplit = c.clone();
        float[] syrkSplit = c.clone();
        float[] gemmSplit = c.clone();
        for (int block = blocks - 1; block >= 0; block--) {   // any order: the row ranges are disjoint
            int from = TileMath.rowFrom(n, blocks, block);
            int to = TileMath.rowTo(n, blocks, block);
            TileMath.trsm(l, trsmSplit, n, from, to);
            TileMath.syrk(a, at, syrkSplit, n, from, to);
            TileMath.gemm(a, b, gemmSplit, n, from, to);
        }
        assertArrayEquals(trsmWhole, trsmSplit);
        assertArrayEquals(syrkWhole, syrkSplit);
        assertArrayEquals(gemmWhole, gemmSplit);
    }

    /**
     * The cache blocking and the unrolled micro-kernel must not change a single bit: every output element
     * still gets its products in increasing m. Sizes cross the depth panel (32), the column panel (128) and the
     * 4-row and 4-deep unrolling with remainders; row ranges start and end off the 4-row grid.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 5, 33, 67, 130, 150})
    void blockedKernelsGiveThePlainLoopsResultsBitForBit(int n) {
        float[] l = toFloat(referenceCholesky(spd(n, 13), n));
        float[] a = toFloat(random(n, 14));
        float[] b = toFloat(random(n, 15));
        float[] c = toFloat(random(n, 16));
        int from = n / 3;
        int to = n - n / 5;

        float[] trsm = c.clone();
        float[] trsmPlain = c.clone();
        TileMath.trsm(transposed(l, n), trsm, n, from, to);
        plainTrsm(l, trsmPlain, n, from, to);
        assertArrayEquals(trsmPlain, trsm, "trsm");

        float[] syrk = c.clone();
        float[] syrkPlain = c.clone();
        TileMath.syrk(a, transposed(a, n), syrk, n, from, to);
        plainSyrk(a, syrkPlain, n, from, to);
        assertArrayEquals(syrkPlain, syrk, "syrk");

        float[] gemm = c.clone();
        float[] gemmPlain = c.clone();
        TileMath.gemm(a, transposed(b, n), gemm, n, from, to);
        plainGemm(a, b, gemmPlain, n, from, to);
        assertArrayEquals(gemmPlain, gemm, "gemm");

        float[] potrf = toFloat(spd(n, 17));
        float[] potrfPlain = potrf.clone();
        TileMath.potrf(potrf, n);
        plainPotrf(potrfPlain, n);
        assertArrayEquals(potrfPlain, potrf, "potrf");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 16, 17, 40})
    void transposeSwapsRowsAndColumns(int n) {
        float[] a = toFloat(random(n, 18));
        float[] t = new float[n * n];
        TileMath.transpose(a, t, n);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                assertEquals(a[r * n + c], t[c * n + r], "A[" + r + "][" + c + "]");
            }
        }
    }

    @Test
    void exerciseRunsEveryKernel() {
        TileMath.exercise(9, 3);   // identity-like tiles: would throw if potrf saw a non-SPD tile
        assertEquals(3, TileMath.rowTo(9, 3, 0));
    }

    @Test
    void rowRangesCoverEveryRowOnce() {
        for (int n : new int[] {1, 7, 64, 128}) {
            for (int blocks = 1; blocks <= 9; blocks++) {
                int expectedFrom = 0;
                for (int block = 0; block < blocks; block++) {
                    assertEquals(expectedFrom, TileMath.rowFrom(n, blocks, block));
                    int to = TileMath.rowTo(n, blocks, block);
                    assertTrue(to >= expectedFrom && to - expectedFrom <= n / blocks + 1);
                    expectedFrom = to;
                }
                assertEquals(n, expectedFrom, "n=" + n + " blocks=" + blocks);
            }
        }
    }

    @Test
    void rejectsMisshapenTilesAndRanges() {
        assertThrows(IllegalArgumentException.class, () -> TileMath.potrf(new float[3], 2));
        assertThrows(IllegalArgumentException.class, () -> TileMath.gemm(new float[4], new float[4], new float[4], 2, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> TileMath.rowFrom(4, 0, 0));
    }

    // ---- the plain triple loops the blocked kernels replaced: same operations, same order ----

    static void plainPotrf(float[] a, int n) {
        for (int j = 0; j < n; j++) {
            int jr = j * n;
            double d = a[jr + j];
            for (int m = 0; m < j; m++) {
                d -= (double) a[jr + m] * a[jr + m];
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

    static void plainTrsm(float[] l, float[] b, int n, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int c = 0; c < n; c++) {
                float x = b[r * n + c] / l[c * n + c];
                b[r * n + c] = x;
                for (int c2 = c + 1; c2 < n; c2++) {
                    b[r * n + c2] -= x * l[c2 * n + c];
                }
            }
        }
    }

    static void plainSyrk(float[] a, float[] c, int n, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int m = 0; m < n; m++) {
                for (int col = 0; col <= r; col++) {
                    c[r * n + col] -= a[r * n + m] * a[col * n + m];
                }
            }
        }
    }

    static void plainGemm(float[] a, float[] b, float[] c, int n, int from, int to) {
        for (int r = from; r < to; r++) {
            for (int m = 0; m < n; m++) {
                for (int col = 0; col < n; col++) {
                    c[r * n + col] -= a[r * n + m] * b[col * n + m];
                }
            }
        }
    }

    static float[] transposed(float[] a, int n) {
        float[] t = new float[n * n];
        TileMath.transpose(a, t, n);
        return t;
    }

    // ---- double-precision references and data ----

    static double[] referenceCholesky(double[] a, int n) {
        double[] l = new double[n * n];
        for (int j = 0; j < n; j++) {
            double d = a[j * n + j];
            for (int m = 0; m < j; m++) {
                d -= l[j * n + m] * l[j * n + m];
            }
            l[j * n + j] = Math.sqrt(d);
            for (int i = j + 1; i < n; i++) {
                double s = a[i * n + j];
                for (int m = 0; m < j; m++) {
                    s -= l[i * n + m] * l[j * n + m];
                }
                l[i * n + j] = s / l[j * n + j];
            }
        }
        return l;
    }

    /** A symmetric, strictly diagonally dominant (hence positive definite) tile. */
    static double[] spd(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] a = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < r; c++) {
                double v = rnd.nextDouble(-1, 1);
                a[r * n + c] = v;
                a[c * n + r] = v;
            }
            a[r * n + r] = n + rnd.nextDouble();
        }
        return a;
    }

    static double[] random(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] a = new double[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextDouble(-1, 1);
        }
        return a;
    }

    static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    static double[] roundToFloat(double[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = (float) a[i];
        }
        return d;
    }

    private static void assertClose(double[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol * scale, what + "[" + i + "]");
        }
    }
}
