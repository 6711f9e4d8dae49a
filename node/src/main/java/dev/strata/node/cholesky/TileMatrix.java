package dev.strata.node.cholesky;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TensorMemory;
import java.util.Arrays;

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
    private float[] compareBuffer; // firstDifference's, made on first use

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

    /** A copy of every tile, for {@link #firstDifference}: taken once, so later comparisons allocate nothing. */
    public float[][] copyTiles() {
        float[][] copy = new float[lower.length][];
        for (int t = 0; t < lower.length; t++) {
            copy[t] = memory.readFloats(lower[t]);
        }
        return copy;
    }

    /**
     * Where the lower triangle of this matrix first differs from {@code copy} (a {@link #copyTiles} of a matrix
     * of the same shape), in tile order (A[0][0], A[1][0], A[1][1], ...), or null if it is the same bit for
     * bit. Reads the tiles through a buffer of its own, so a repeated check makes no garbage (whose collection
     * would run beside a timed factorisation).
     */
    public Difference firstDifference(float[][] copy) {
        if (copy.length != lower.length) {
            throw new IllegalArgumentException("copy has " + copy.length + " tiles, this matrix " + lower.length);
        }
        if (compareBuffer == null) {
            compareBuffer = new float[tileSize * tileSize];
        }
        float[] tile = compareBuffer;
        for (int i = 0; i < tiles; i++) {
            for (int j = 0; j <= i; j++) {
                memory.floats(tile(i, j)).get(0, tile);
                float[] expected = copy[i * (i + 1) / 2 + j];
                for (int r = 0; r < tileSize; r++) {
                    int from = r * tileSize;
                    int cols = i == j ? r + 1 : tileSize; // a diagonal tile's strict upper triangle is not L
                    int c = Arrays.mismatch(tile, from, from + cols, expected, from, from + cols);
                    if (c >= 0) {
                        return new Difference(i * tileSize + r, j * tileSize + c, expected[from + c], tile[from + c]);
                    }
                }
            }
        }
        return null;
    }

    /** Element L[row][column] of the whole matrix: {@code expected} in the copy, {@code actual} here. */
    public record Difference(int row, int column, float expected, float actual) {
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
