package dev.strata.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The seed's length-prefixed task-args blob, as written into a chip-process mailbox. Little-endian,
 * whatever byte order the buffer is set to:
 *
 * <pre>
 * offset 0   int32  T, the tensor count
 * offset 4   int32  S, the scalar count
 * offset 8   T x 40-byte tensor records
 *            S x int64 scalars
 *
 * tensor record:
 *   +0   int64      data (address in the node's tensor memory)
 *   +8   5 x uint32 shape (dims at or beyond ndims are 0)
 *   +28  uint32     ndims, 1..5
 *   +32  uint8      dtype ({@link DataType} ordinal)
 *   +33  7 bytes    padding (written as 0, ignored on read)
 * </pre>
 *
 * Malformed input fails with an {@link IllegalArgumentException} naming what is wrong; on any failure the
 * buffer's position is left unchanged.
 */
public final class TaskArgsBlob {
    /** Bytes of the header: the tensor and scalar counts. */
    public static final int HEADER_BYTES = 8;
    /** Bytes of one tensor record. */
    public static final int TENSOR_RECORD_BYTES = 40;
    /** Bytes of one scalar. */
    public static final int SCALAR_BYTES = 8;

    private static final int SHAPE_OFFSET = 8;
    private static final int NDIMS_OFFSET = 28;
    private static final int DTYPE_OFFSET = 32;
    private static final int PADDING_OFFSET = 36;
    // values() clones on every call; the read path would allocate one array per tensor.
    private static final DataType[] DTYPES = DataType.values();

    private TaskArgsBlob() {
    }

    /**
     * The number of bytes {@link #write} needs for {@code args}: {@code 8 + 40 T + 8 S}.
     *
     * @throws IllegalArgumentException if the counts are negative or the blob would exceed 2 GiB
     */
    public static int encodedSize(TaskArgsView args) {
        return (int) checkedSize(args.tensorCount(), args.scalarCount(), "args");
    }

    /**
     * Writes {@code args} at {@code dst}'s position, little-endian regardless of {@code dst.order()}, and
     * advances the position past the blob. Nothing is written when the arguments do not fit.
     *
     * @return the number of bytes written, equal to {@link #encodedSize(TaskArgsView)}
     * @throws IllegalArgumentException if {@code dst} has fewer bytes remaining than the blob needs, or
     *                                  {@code args} returns a null tensor
     */
    public static int write(ByteBuffer dst, TaskArgsView args) {
        int tensors = args.tensorCount();
        int scalars = args.scalarCount();
        int size = (int) checkedSize(tensors, scalars, "args");
        if (dst.remaining() < size) {
            throw new IllegalArgumentException("args blob needs " + size + " bytes (" + tensors + " tensors, "
                    + scalars + " scalars) but the buffer has only " + dst.remaining() + " remaining");
        }
        for (int i = 0; i < tensors; i++) {
            if (args.tensor(i) == null) {
                throw new IllegalArgumentException("args tensor " + i + " is null");
            }
        }
        boolean swap = dst.order() != ByteOrder.LITTLE_ENDIAN;
        int base = dst.position();
        putInt(dst, base, tensors, swap);
        putInt(dst, base + 4, scalars, swap);
        int at = base + HEADER_BYTES;
        for (int i = 0; i < tensors; i++, at += TENSOR_RECORD_BYTES) {
            ContinuousTensor t = args.tensor(i);
            int ndims = t.ndims();
            putLong(dst, at, t.data(), swap);
            for (int d = 0; d < ContinuousTensor.MAX_DIMS; d++) {
                putInt(dst, at + SHAPE_OFFSET + 4 * d, d < ndims ? t.shape(d) : 0, swap);
            }
            putInt(dst, at + NDIMS_OFFSET, ndims, swap);
            // dtype byte followed by three zero padding bytes, then four more.
            putInt(dst, at + DTYPE_OFFSET, t.dtype().ordinal(), swap);
            putInt(dst, at + PADDING_OFFSET, 0, swap);
        }
        for (int i = 0; i < scalars; i++, at += SCALAR_BYTES) {
            putLong(dst, at, args.scalar(i), swap);
        }
        dst.position(base + size);
        return size;
    }

    /**
     * Reads one blob at {@code src}'s position, little-endian regardless of {@code src.order()}, and
     * advances the position past it. The position is unchanged when the blob is malformed.
     *
     * @return an immutable {@link TaskArgsSnapshot} of the blob's tensors and scalars
     * @throws IllegalArgumentException if the blob is truncated, declares negative counts or more bytes than
     *                                  remain, or holds a tensor record with ndims outside 1..5, an unknown
     *                                  dtype code or a dim above {@link Integer#MAX_VALUE}
     */
    public static TaskArgsView read(ByteBuffer src) {
        int base = src.position();
        int remaining = src.remaining();
        if (remaining < HEADER_BYTES) {
            throw new IllegalArgumentException("args blob truncated: the header needs " + HEADER_BYTES
                    + " bytes but only " + remaining + " remain");
        }
        boolean swap = src.order() != ByteOrder.LITTLE_ENDIAN;
        int tensors = getInt(src, base, swap);
        int scalars = getInt(src, base + 4, swap);
        long size = checkedSize(tensors, scalars, "args blob");
        if (size > remaining) {
            throw new IllegalArgumentException("args blob truncated: it declares " + tensors + " tensors and "
                    + scalars + " scalars (" + size + " bytes) but only " + remaining + " remain");
        }
        if (tensors == 0 && scalars == 0) {
            src.position(base + HEADER_BYTES);
            return TaskArgsSnapshot.EMPTY;
        }
        ContinuousTensor[] t = new ContinuousTensor[tensors];
        int at = base + HEADER_BYTES;
        for (int i = 0; i < tensors; i++, at += TENSOR_RECORD_BYTES) {
            t[i] = readTensor(src, at, i, swap);
        }
        long[] s = new long[scalars];
        for (int i = 0; i < scalars; i++, at += SCALAR_BYTES) {
            s[i] = getLong(src, at, swap);
        }
        TaskArgsSnapshot args = new TaskArgsSnapshot(List.of(t), s);
        src.position(base + (int) size);
        return args;
    }

    private static ContinuousTensor readTensor(ByteBuffer src, int at, int index, boolean swap) {
        long ndims = Integer.toUnsignedLong(getInt(src, at + NDIMS_OFFSET, swap));
        if (ndims < 1 || ndims > ContinuousTensor.MAX_DIMS) {
            throw new IllegalArgumentException("args blob tensor " + index + ": ndims " + ndims + " is not in 1.."
                    + ContinuousTensor.MAX_DIMS);
        }
        int code = src.get(at + DTYPE_OFFSET) & 0xFF;
        if (code >= DTYPES.length) {
            throw new IllegalArgumentException("args blob tensor " + index + ": unknown dtype code " + code
                    + " (valid: 0.." + (DTYPES.length - 1) + ")");
        }
        int[] shape = new int[(int) ndims];
        for (int d = 0; d < shape.length; d++) {
            int dim = getInt(src, at + SHAPE_OFFSET + 4 * d, swap);
            if (dim < 0) {
                throw new IllegalArgumentException("args blob tensor " + index + ": dim " + d + " is "
                        + Integer.toUnsignedString(dim) + ", above the maximum " + Integer.MAX_VALUE);
            }
            shape[d] = dim;
        }
        try {
            return ContinuousTensor.ofOwned(getLong(src, at, swap), DTYPES[code], shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("args blob tensor " + index + ": " + e.getMessage(), e);
        }
    }

    /** 8 + 40 T + 8 S as a long, rejecting negative counts and sizes a ByteBuffer cannot hold. */
    private static long checkedSize(int tensors, int scalars, String what) {
        if (tensors < 0 || scalars < 0) {
            throw new IllegalArgumentException(what + " has a negative count: " + tensors + " tensors, "
                    + scalars + " scalars");
        }
        long size = HEADER_BYTES + (long) tensors * TENSOR_RECORD_BYTES + (long) scalars * SCALAR_BYTES;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " with " + tensors + " tensors and " + scalars
                    + " scalars needs " + size + " bytes, more than a blob can hold (" + Integer.MAX_VALUE + ")");
        }
        return size;
    }

    private static void putInt(ByteBuffer b, int index, int v, boolean swap) {
        b.putInt(index, swap ? Integer.reverseBytes(v) : v);
    }

    private static void putLong(ByteBuffer b, int index, long v, boolean swap) {
        b.putLong(index, swap ? Long.reverseBytes(v) : v);
    }

    private static int getInt(ByteBuffer b, int index, boolean swap) {
        int v = b.getInt(index);
        return swap ? Integer.reverseBytes(v) : v;
    }

    private static long getLong(ByteBuffer b, int index, boolean swap) {
        long v = b.getLong(index);
        return swap ? Long.reverseBytes(v) : v;
    }
}
