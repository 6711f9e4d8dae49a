package dev.strata.node.cholesky;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.node.job.LocalTensorMemory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Comparing a factor with an earlier one, as the job does after every run. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TileMatrixTest {
    private static final int ORDER = 12;
    private static final int TILE = 4;

    @Test
    void theSameLowerTriangleHasNoDifference() {
        TileMatrix m = loaded();
        assertNull(m.firstDifference(m.copyTiles()));
        assertNull(loaded().firstDifference(m.copyTiles()), "another matrix with the same values");
    }

    @Test
    void theFirstDifferenceInTheLowerTriangleIsNamedByItsPlaceInTheWholeMatrix() {
        TileMatrix m = loaded();
        float[][] before = m.copyTiles();
        set(m, 9, 5, 42f);   // tile A[2][1], row 1, column 1
        set(m, 10, 9, 43f);  // tile A[2][2], later in tile order: not the first
        TileMatrix.Difference d = m.firstDifference(before);
        assertEquals(9, d.row());
        assertEquals(5, d.column());
        assertEquals(value(9, 5), d.expected());
        assertEquals(42f, d.actual());
    }

    @Test
    void theStrictUpperTriangleOfADiagonalTileIsNotPartOfTheFactor() {
        TileMatrix m = loaded();
        float[][] before = m.copyTiles();
        set(m, 4, 6, -1f); // tile A[1][1], above its diagonal
        assertNull(m.firstDifference(before));
        set(m, 6, 6, -1f); // on the diagonal
        assertEquals(6, m.firstDifference(before).row());
    }

    @Test
    void aCopyOfAnotherShapeIsRefused() {
        float[][] small = TileMatrix.allocate(new LocalTensorMemory(1 << 16), TILE, TILE).copyTiles();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loaded().firstDifference(small));
        assertEquals("copy has 1 tiles, this matrix 6", e.getMessage());
    }

    private static TileMatrix loaded() {
        double[] a = new double[ORDER * ORDER];
        for (int r = 0; r < ORDER; r++) {
            for (int c = 0; c < ORDER; c++) {
                a[r * ORDER + c] = value(r, c);
            }
        }
        TileMatrix m = TileMatrix.allocate(new LocalTensorMemory(1 << 16), ORDER, TILE);
        m.load(a);
        return m;
    }

    private static float value(int r, int c) {
        return r * 100 + c;
    }

    private static void set(TileMatrix m, int r, int c, float v) {
        m.memory().floats(m.tile(r / TILE, c / TILE)).put((r % TILE) * TILE + c % TILE, v);
    }
}
