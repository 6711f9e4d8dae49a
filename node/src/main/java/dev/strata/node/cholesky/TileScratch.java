package dev.strata.node.cholesky;

import java.nio.FloatBuffer;

/**
 * The working arrays of the tile kernels on one thread, reused by every call that thread makes: the kernels
 * compute on arrays because the JIT turns loops over arrays into SIMD code and loops over a
 * {@link FloatBuffer} into scalar code (the blocked GEMM measured 11.5 GFLOP/s on arrays, 3.6 on absolute
 * buffer get/put). A call moves its tiles between the tensor views and these arrays with bulk copies (about
 * 3% of a 256 × 256 GEMM) and allocates nothing.
 *
 * <p>One instance per thread: the blocks of a call, and the calls of several chip workers, may run at once on
 * different threads, each with its own arrays. The arrays are resized when the tile order changes.
 */
final class TileScratch {
    /** The first input operand (rows, as the kernel reads them). */
    static final int FIRST = 0;
    /** The second input operand, transposed. */
    static final int SECOND = 1;
    /** The output tile. */
    static final int OUT = 2;
    private static final int STAGING = 3;

    private static final ThreadLocal<TileScratch> OF_THREAD = ThreadLocal.withInitial(TileScratch::new);

    private final float[][] arrays = new float[4][];
    private int order = -1;

    private TileScratch() {
    }

    /** This thread's arrays, sized for {@code n × n} tiles. */
    static TileScratch ofThisThread(int n) {
        TileScratch s = OF_THREAD.get();
        if (s.order != n) {
            for (int i = 0; i < s.arrays.length; i++) {
                s.arrays[i] = new float[n * n];
            }
            s.order = n;
        }
        return s;
    }

    /**
     * Rows {@code [from, to)} of {@code tile} copied into array {@code slot} at the same offsets; its other
     * rows hold whatever an earlier call left there.
     */
    float[] rows(int slot, FloatBuffer tile, int from, int to) {
        float[] a = arrays[slot];
        tile.get(from * order, a, from * order, (to - from) * order);
        return a;
    }

    /** The transpose of the whole {@code tile} in array {@code slot}. */
    float[] transposed(int slot, FloatBuffer tile) {
        float[] staging = arrays[STAGING];
        tile.get(0, staging, 0, staging.length);
        float[] t = arrays[slot];
        TileMath.transpose(staging, t, order);
        return t;
    }

    /** Writes rows {@code [from, to)} of {@code a} back into {@code tile}, and nothing else: other blocks own the other rows. */
    void writeRows(float[] a, FloatBuffer tile, int from, int to) {
        tile.put(from * order, a, from * order, (to - from) * order);
    }
}
