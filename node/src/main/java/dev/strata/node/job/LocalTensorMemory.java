package dev.strata.node.job;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TensorMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * A {@link TensorMemory} over one direct buffer of this JVM, for running kernels without an engine (the
 * sequential baseline, tests). Bump allocation, 64-byte aligned; {@link #free} is a no-op, the memory is
 * reclaimed with the object. Not thread-safe for allocation; views of distinct tensors may be used from
 * any thread.
 */
public final class LocalTensorMemory implements TensorMemory {
    /** Address of the first byte: non-zero, because {@code data == 0} means "no tensor". */
    private static final long BASE = 1L << 20;
    private static final int ALIGN = 64;

    private final ByteBuffer buffer;
    private int top;

    /** Memory of {@code capacity} bytes, zero-filled. */
    public LocalTensorMemory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1 byte, got " + capacity);
        }
        this.buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Bytes {@code count} tensors of {@code bytesEach} need here, alignment included. */
    public static long bytesFor(long count, long bytesEach) {
        return count * ((bytesEach + ALIGN - 1) / ALIGN * ALIGN);
    }

    @Override
    public ContinuousTensor allocate(DataType dtype, int... shape) {
        ContinuousTensor t = ContinuousTensor.of(BASE, dtype, shape);
        long start = (top + ALIGN - 1L) / ALIGN * ALIGN;
        if (start + t.nbytes() > buffer.capacity()) {
            throw new IllegalStateException("local tensor memory full: " + t.nbytes() + " bytes for " + dtype
                    + Arrays.toString(shape) + " do not fit in " + (buffer.capacity() - start) + " free bytes");
        }
        top = (int) (start + t.nbytes());
        return t.withData(BASE + start);
    }

    @Override
    public void free(ContinuousTensor t) {
        bytes(t);   // validates the address; the space is not reused
    }

    @Override
    public ByteBuffer bytes(ContinuousTensor t) {
        long offset = t.data() - BASE;
        if (t.data() == 0 || offset < 0 || offset + t.nbytes() > top) {
            throw new IllegalArgumentException("address 0x" + Long.toHexString(t.data()) + " (" + t.nbytes()
                    + " bytes) is not inside this local tensor memory");
        }
        return buffer.slice((int) offset, (int) t.nbytes()).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public FloatBuffer floats(ContinuousTensor t) {
        expect(t, DataType.FLOAT32);
        return bytes(t).asFloatBuffer();
    }

    @Override
    public IntBuffer ints(ContinuousTensor t) {
        expect(t, DataType.INT32);
        return bytes(t).asIntBuffer();
    }

    @Override
    public LongBuffer longs(ContinuousTensor t) {
        if (t.dtype() != DataType.INT64 && t.dtype() != DataType.UINT64) {
            throw new IllegalArgumentException("longs() needs an INT64 or UINT64 tensor, got " + t.dtype());
        }
        return bytes(t).asLongBuffer();
    }

    @Override
    public void write(ContinuousTensor t, float[] values) {
        if (values.length != t.numel()) {
            throw new IllegalArgumentException(values.length + " values for a tensor of " + t.numel() + " elements");
        }
        floats(t).put(0, values);
    }

    @Override
    public float[] readFloats(ContinuousTensor t) {
        FloatBuffer f = floats(t);
        float[] values = new float[f.capacity()];
        f.get(0, values);
        return values;
    }

    private static void expect(ContinuousTensor t, DataType dtype) {
        if (t.dtype() != dtype) {
            throw new IllegalArgumentException("expected a " + dtype + " tensor, got " + t.dtype());
        }
    }
}
