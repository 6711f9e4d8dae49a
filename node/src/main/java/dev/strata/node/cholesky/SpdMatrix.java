package dev.strata.node.cholesky;

import java.util.SplittableRandom;

/** The test matrix of the Cholesky job and the check of its factor. */
public final class SpdMatrix {

    private SpdMatrix() {
    }

    /**
     * A random symmetric positive definite n×n matrix, row-major: off-diagonal entries uniform in (−1, 1),
     * diagonal n + uniform [0, 1), so it is strictly diagonally dominant (hence SPD, and well conditioned). Every
     * entry is a float value, so the FLOAT32 tiles hold exactly this matrix. O(n²), unlike B·Bᵀ + n·I.
     */
    public static double[] random(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] a = new double[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < r; c++) {
                double v = (float) rnd.nextDouble(-1, 1);
                a[r * n + c] = v;
                a[c * n + r] = v;
            }
            a[r * n + r] = (float) (n + rnd.nextDouble());
        }
        return a;
    }

    /**
     * ‖A − L·Lᵀ‖_F / ‖A‖_F in double, for symmetric {@code a} and lower-triangular {@code l} (row-major n×n).
     * Only the lower triangle is formed; off-diagonal terms count twice.
     */
    public static double relativeResidual(double[] a, double[] l, int n) {
        double err = 0;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            int ir = i * n;
            for (int j = 0; j <= i; j++) {
                int jr = j * n;
                double s = 0;
                for (int m = 0; m <= j; m++) {
                    s += l[ir + m] * l[jr + m];
                }
                double d = a[ir + j] - s;
                double weight = i == j ? 1 : 2;
                err += weight * d * d;
                norm += weight * a[ir + j] * a[ir + j];
            }
        }
        return Math.sqrt(err) / Math.sqrt(norm);
    }
}
