package dev.strata.node.matmul;

import java.util.Arrays;
import java.util.Random;

/**
 * The dense arithmetic of C = A x B on row-major float arrays. Pure functions — no threads, no tensor memory — so
 * each is tested directly.
 *
 * <p>{@link #multiply} sums each element of C in float in the order k = 0, 1, ..., so a row of C comes out the same
 * bit for bit whichever rows are computed together, by which chip or block, or in one thread: the job checks that
 * the engines' C equals the single-thread C exactly, and measures the float error against {@link #reference}.
 */
public final class MatmulMath {

    private MatmulMath() {
    }

    /**
     * Overwrites {@code c} [rows, m] with {@code a} [rows, k] x {@code b} [k, m]. The loop order (row, k, column)
     * runs the inner loop along rows of B and C, which the JIT vectorises.
     */
    public static void multiply(float[] a, float[] b, float[] c, int rows, int k, int m) {
        check(a, rows, k, "a");
        check(b, k, m, "b");
        check(c, rows, m, "c");
        for (int r = 0; r < rows; r++) {
            int cr = r * m;
            Arrays.fill(c, cr, cr + m, 0f);
            int ar = r * k;
            for (int p = 0; p < k; p++) {
                float x = a[ar + p];
                int br = p * m;
                for (int j = 0; j < m; j++) {
                    c[cr + j] += x * b[br + j];
                }
            }
        }
    }

    /** {@code a} [rows, k] x {@code b} [k, m] with every product and sum in double: the truth to measure against. */
    public static double[] reference(float[] a, float[] b, int rows, int k, int m) {
        check(a, rows, k, "a");
        check(b, k, m, "b");
        double[] c = new double[rows * m];
        for (int r = 0; r < rows; r++) {
            int cr = r * m;
            int ar = r * k;
            for (int p = 0; p < k; p++) {
                double x = a[ar + p];
                int br = p * m;
                for (int j = 0; j < m; j++) {
                    c[cr + j] += x * b[br + j];
                }
            }
        }
        return c;
    }

    /** max |c[i] - reference[i]|; NaN if any element of {@code c} is NaN (a row nobody wrote, say). */
    public static double maxAbsError(float[] c, double[] reference) {
        if (c.length != reference.length) {
            throw new IllegalArgumentException("c has " + c.length + " elements, the reference " + reference.length);
        }
        double max = 0;
        for (int i = 0; i < c.length; i++) {
            double e = Math.abs(c[i] - reference[i]);
            if (!(e <= max)) {
                max = e; // NaN sticks
                if (Double.isNaN(e)) {
                    return e;
                }
            }
        }
        return max;
    }

    /** A random {@code n x n} matrix, uniform in [-1, 1), reproducible from {@code seed}. */
    public static float[] random(int n, long seed) {
        Random random = new Random(seed);
        float[] m = new float[n * n];
        for (int i = 0; i < m.length; i++) {
            m[i] = random.nextFloat() * 2 - 1;
        }
        return m;
    }

    private static void check(float[] t, int rows, int cols, String name) {
        if (rows < 0 || cols < 0 || t.length != (long) rows * cols) {
            throw new IllegalArgumentException(name + " has " + t.length + " elements, expected " + rows + "x" + cols);
        }
    }
}
