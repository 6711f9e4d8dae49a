package dev.strata.node.matmul;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MatmulMathTest {

    @Test
    void multiplyIsTheRowTimesColumnProductOfRectangularMatricesAndOverwritesC() {
        float[] a = {1, 2, 3, 4, 5, 6};                 // 2 x 3
        float[] b = {1, 0, 2, 1, 1, 0, 0, -1, 1, 2, 0, 1}; // 3 x 4
        float[] c = new float[8];
        Arrays.fill(c, Float.NaN);
        MatmulMath.multiply(a, b, c, 2, 3, 4);
        assertArrayEquals(new float[] {6, 6, 2, 2, 15, 12, 8, 5}, c);
        assertArrayEquals(new double[] {6, 6, 2, 2, 15, 12, 8, 5}, MatmulMath.reference(a, b, 2, 3, 4));
    }

    @Test
    void rowsComputedApartEqualTheWholeProductBitForBit() {
        int n = 37;
        float[] a = MatmulMath.random(n, 1);
        float[] b = MatmulMath.random(n, 2);
        float[] whole = new float[n * n];
        MatmulMath.multiply(a, b, whole, n, n, n);
        float[] pieces = new float[n * n];
        for (int from = 0; from < n; from += 10) {
            int rows = Math.min(10, n - from);
            float[] c = new float[rows * n];
            MatmulMath.multiply(Arrays.copyOfRange(a, from * n, (from + rows) * n), b, c, rows, n, n);
            System.arraycopy(c, 0, pieces, from * n, c.length);
        }
        assertArrayEquals(whole, pieces);
        double error = MatmulMath.maxAbsError(whole, MatmulMath.reference(a, b, n, n, n));
        assertTrue(error > 0 && error < 1e-5, "float sums are close to the double ones, not equal: " + error);
    }

    @Test
    void maxAbsErrorIsTheLargestDifferenceAndNanForAnUnwrittenElement() {
        assertEquals(0.5, MatmulMath.maxAbsError(new float[] {1, 2.5f, -1}, new double[] {1, 2, -1.25}));
        assertTrue(Double.isNaN(MatmulMath.maxAbsError(new float[] {Float.NaN, 1}, new double[] {0, 100})));
        assertTrue(Double.isNaN(MatmulMath.maxAbsError(new float[] {0, Float.NaN}, new double[] {100, 0})));
        assertThrows(IllegalArgumentException.class, () -> MatmulMath.maxAbsError(new float[2], new double[3]));
    }

    @Test
    void randomMatricesAreReproducibleAndInMinusOneToOne() {
        float[] m = MatmulMath.random(20, 5);
        assertArrayEquals(m, MatmulMath.random(20, 5));
        assertNotEquals(Arrays.toString(m), Arrays.toString(MatmulMath.random(20, 6)));
        for (float x : m) {
            assertTrue(x >= -1 && x < 1, String.valueOf(x));
        }
    }

    @Test
    void mismatchedSizesAreRejectedNamingTheArray() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatmulMath.multiply(new float[6], new float[11], new float[8], 2, 3, 4));
        assertTrue(e.getMessage().startsWith("b has 11 elements, expected 3x4"), e.getMessage());
    }
}
