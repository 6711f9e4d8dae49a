package dev.strata.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense tensor descriptor: an address in a node's {@link TensorMemory}, a dtype and 1..5 dims.
 * Immutable; equality is by value. {@code data == 0} means "no tensor yet" (an OUTPUT to auto-allocate).
 */
public final class ContinuousTensor {
    /** The most dims a tensor may have (the seed's {@code CONTINUOUS_TENSOR_MAX_DIMS}). */
    public static final int MAX_DIMS = 5;

    private final long data;
    private final DataType dtype;
    private final int[] shape;

    private ContinuousTensor(long data, DataType dtype, int[] shape) {
        this.data = data;
        this.dtype = dtype;
        this.shape = shape;
    }

    /**
     * A tensor at {@code data} with the given dtype and shape.
     *
     * @throws IllegalArgumentException for a null dtype, 0 or more than 5 dims, a negative dim, or a shape
     *                                  whose size in bytes does not fit in a {@code long}
     */
    @JsonCreator
    public static ContinuousTensor of(@JsonProperty("data") long data,
                                      @JsonProperty("dtype") DataType dtype,
                                      @JsonProperty("shape") int... shape) {
        return ofOwned(data, dtype, shape == null ? null : shape.clone());
    }

    /** {@link #of} without copying {@code shape}: the caller hands the array over and must not touch it again. */
    static ContinuousTensor ofOwned(long data, DataType dtype, int[] shape) {
        if (dtype == null) {
            throw new IllegalArgumentException("tensor dtype must not be null (shape "
                    + Arrays.toString(shape) + ")");
        }
        if (shape == null || shape.length == 0 || shape.length > MAX_DIMS) {
            throw new IllegalArgumentException("tensor must have 1.." + MAX_DIMS + " dims, got "
                    + (shape == null ? "null" : shape.length + " " + Arrays.toString(shape)));
        }
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("tensor dim " + i + " is negative (" + shape[i] + ") in shape "
                        + Arrays.toString(shape));
            }
            empty |= shape[i] == 0;
        }
        if (!empty) {
            try {
                long numel = 1;
                for (int s : shape) {
                    numel = Math.multiplyExact(numel, s);
                }
                Math.multiplyExact(numel, dtype.elementSize());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " of " + dtype
                        + " overflows a 64-bit byte size");
            }
        }
        return new ContinuousTensor(data, dtype, shape);
    }

    /** The tensor's address in the node's {@link TensorMemory}; 0 when it has none yet. */
    @JsonProperty("data")
    public long data() {
        return data;
    }

    /** The element type. */
    @JsonProperty("dtype")
    public DataType dtype() {
        return dtype;
    }

    /** The number of dims, 1..{@value #MAX_DIMS}. */
    public int ndims() {
        return shape.length;
    }

    /**
     * The extent of dim {@code dim}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= dim < ndims()}
     */
    public int shape(int dim) {
        return shape[Objects.checkIndex(dim, shape.length)];
    }

    /** A defensive copy of the shape. */
    @JsonProperty("shape")
    public int[] shape() {
        return shape.clone();
    }

    /** The number of elements: the product of the dims. */
    public long numel() {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** The size in bytes: {@code numel() * dtype().elementSize()}. */
    public long nbytes() {
        return numel() * dtype.elementSize();
    }

    /** The same dtype and shape at another address. */
    public ContinuousTensor withData(long newData) {
        return new ContinuousTensor(newData, dtype, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContinuousTensor t && t.data == data && t.dtype == dtype && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(data) * 31 + dtype.ordinal()) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + Arrays.toString(shape) + " @0x" + Long.toHexString(data) + "]";
    }
}
