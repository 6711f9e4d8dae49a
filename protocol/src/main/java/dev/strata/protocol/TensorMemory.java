package dev.strata.protocol;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * Shared tensor memory of one node: visible to in-process workers and to chip-process children alike.
 * Addresses are the {@code data} of {@link ContinuousTensor}. An address outside the node's memory, or a
 * typed view with the wrong dtype, throws {@link IllegalArgumentException} naming the address or dtype.
 */
public interface TensorMemory {
    /** A zero-filled tensor in the user arena. */
    ContinuousTensor allocate(DataType dtype, int... shape);

    /** Returns a tensor obtained from {@link #allocate} to the user arena. */
    void free(ContinuousTensor t);

    /** A little-endian view of the tensor's bytes (position 0, limit nbytes). */
    ByteBuffer bytes(ContinuousTensor t);

    /** A view of a FLOAT32 tensor. */
    FloatBuffer floats(ContinuousTensor t);

    /** A view of an INT32 tensor. */
    IntBuffer ints(ContinuousTensor t);

    /** A view of an INT64 or UINT64 tensor. */
    LongBuffer longs(ContinuousTensor t);

    /** Copies {@code values} (exactly numel of them) into a FLOAT32 tensor. */
    void write(ContinuousTensor t, float[] values);

    /** Copies a FLOAT32 tensor out. */
    float[] readFloats(ContinuousTensor t);
}
