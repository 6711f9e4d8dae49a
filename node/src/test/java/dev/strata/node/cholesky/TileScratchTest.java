package dev.strata.node.cholesky;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TileScratchTest {

    @Test
    void rowsAreCopiedAtTheirOwnOffsetsAndWrittenBackAlone() {
        int n = 4;
        FloatBuffer tile = tile(n);
        TileScratch s = TileScratch.ofThisThread(n);
        float[] rows = s.rows(TileScratch.OUT, tile, 1, 3);
        assertArrayEquals(new float[] {4, 5, 6, 7, 8, 9, 10, 11}, Arrays.copyOfRange(rows, 4, 12));

        Arrays.fill(rows, -1f);   // rows 0 and 3 of the array must not reach the tile
        s.writeRows(rows, tile, 1, 3);
        float[] after = new float[n * n];
        tile.get(0, after);
        for (int i = 0; i < n * n; i++) {
            assertEquals(i >= 4 && i < 12 ? -1f : i, after[i], "element " + i);
        }
    }

    @Test
    void transposedHoldsTheWholeTileTransposed() {
        int n = 5;
        float[] t = TileScratch.ofThisThread(n).transposed(TileScratch.SECOND, tile(n));
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                assertEquals(r * n + c, t[c * n + r]);
            }
        }
    }

    @Test
    void arraysAreReusedPerThreadAndResizedForAnotherOrder() throws Exception {
        TileScratch s = TileScratch.ofThisThread(8);
        float[] first = s.rows(TileScratch.FIRST, tile(8), 0, 8);
        assertSame(first, TileScratch.ofThisThread(8).rows(TileScratch.FIRST, tile(8), 0, 8), "no allocation per call");

        float[] resized = TileScratch.ofThisThread(3).rows(TileScratch.FIRST, tile(3), 0, 3);
        assertEquals(9, resized.length);

        TileScratch other = CompletableFuture.supplyAsync(() -> TileScratch.ofThisThread(3)).get(10, TimeUnit.SECONDS);
        assertNotSame(TileScratch.ofThisThread(3), other, "each thread has its own arrays");
    }

    /** A direct little-endian n × n tile holding 0, 1, 2, … in row-major order, like a tensor view. */
    private static FloatBuffer tile(int n) {
        FloatBuffer f = ByteBuffer.allocateDirect(n * n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int i = 0; i < n * n; i++) {
            f.put(i, i);
        }
        return f;
    }
}
