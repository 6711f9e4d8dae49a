package dev.strata.node.cholesky;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TensorMemory;

/**
 * The lower triangle of a symmetric n×n matrix as one FLOAT32 tensor per tile A[i][j], i ≥ j, allocated in
 * a {@link TensorMemory}. The factorisation overwrites it with L.
 */
public final class TileMatrix {
    private final TensorMemory memory;
    private final int order;
    private final int tileSize;
    private final int tiles;
    private final ContinuousTensor[] lower;   // A[i][j] at i*(i+1)/2 + j

    private TileMatrix(TensorMemory memory, int order, int tileSize) {
        if (tileSize < 1 || order < 1 || order % tileSize != 0) {
            throw new IllegalArgumentException("order " + order + " is not a positive multiple of tile size " + tileSize);
        }
        this.memory = memory;
        this.order = order;
        this.tileSize = tileSize;
        this.tiles = order / tileSize;
        this.lower = new ContinuousTensor[tiles * (tiles + 1) / 2];
    }

    /** Allocates the tiles of an {@code order × order} matrix, zero-filled. */
    public static TileMatrix allocate(TensorMemory memory, int order, int tileSize) {
        TileMatrix m = new TileMatrix(memory, order, tileSize);
        for (int i = 0; i < m.lower.length; i++) {
            m.lower[i] = memory.allocate(DataType.FLOAT32, tileSize, tileSize);
        }
        return m;
    }

    /** Bytes of tile data (alignment not included) the lower triangle of such a matrix needs. */
    public static long dataBytes(int order, int tileSize) {
        long tiles = order / tileSize;
        return tiles * (tiles + 1) / 2 * (long) tileSize * tileSize * Float.BYTES;
    }

    /** The memory the tiles live in. */
    public TensorMemory memory() {
        return memory;
    }

    /** Number of tiles stored (the lower triangle, diagonal included). */
    public int tileCount() {
        return lower.length;
    }

    /** Tile A[i][j], i ≥ j. */
    public ContinuousTensor tile(int i, int j) {
        if (j < 0 || i < j || i >= tiles) {
            throw new IllegalArgumentException("no stored tile A[" + i + "][" + j + "] in a " + tiles + "x" + tiles + " lower triangle");
        }
        return lower[i * (i + 1) / 2 + j];
    }

    /** Copies the lower tiles of the dense row-major {@code a} (rounded to float) into the tiles. */
    public void load(double[] a) {
        checkDense(a);
        float[] tile = new float[tileSize * tileSize];
        for (int i = 0; i < tiles; i++) {
            for (int j = 0; j <= i; j++) {
                for (int r = 0; r < tileSize; r++) {
                    int row = (i * tileSize + r) * order + j * tileSize;
                    for (int c = 0; c < tileSize; c++) {
                        tile[r * tileSize + c] = (float) a[row + c];
                    }
                }
                memory.write(tile(i, j), tile);
            }
        }
    }

    /**
     * The factor as a dense row-major double matrix: the lower triangle of the tiles (strict upper triangle of
     * diagonal tiles and every upper tile are 0).
     */
    public double[] lowerTriangle() {
        double[] l = new double[order * order];
        for (int i = 0; i < tiles; i++) {
            for (int j = 0; j <= i; j++) {
                float[] tile = memory.readFloats(tile(i, j));
                for (int r = 0; r < tileSize; r++) {
                    int row = (i * tileSize + r) * order + j * tileSize;
                    int cols = i == j ? r + 1 : tileSize;
                    for (int c = 0; c < cols; c++) {
                        l[row + c] = tile[r * tileSize + c];
                    }
                }
            }
        }
        return l;
    }

    /** Returns the tiles to the memory they came from. */
    public void free() {
        for (ContinuousTensor t : lower) {
            memory.free(t);
        }
    }

    private void checkDense(double[] a) {
        if (a.length != (long) order * order) {
            throw new IllegalArgumentException("dense matrix has " + a.length + " elements, expected " + order + "x" + order);
        }
    }
}
