package dev.strata.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * A dense tensor descriptor: an address in a node's {@link TensorMemory}, a dtype and 1..5 dims.
 * Immutable; equality is by value. {@code data == 0} means "no tensor yet" (an OUTPUT to auto-allocate).
 */
public final class ContinuousTensor {
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
     * @throws IllegalArgumentException for a null dtype, 0 or more than 5 dims, or a negative dim
     */
    @JsonCreator
    public static ContinuousTensor of(@JsonProperty("data") long data,
                                      @JsonProperty("dtype") DataType dtype,
                                      @JsonProperty("shape") int... shape) {
        if (dtype == null) {
            throw new IllegalArgumentException("tensor dtype must not be null");
        }
        if (shape == null || shape.length == 0 || shape.length > MAX_DIMS) {
            throw new IllegalArgumentException("tensor must have 1.." + MAX_DIMS + " dims, got "
                    + (shape == null ? "null" : shape.length + " " + Arrays.toString(shape)));
        }
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("tensor dim " + i + " is negative: shape " + Arrays.toString(shape));
            }
            numel *= shape[i];
            if (numel * dtype.elementSize() < 0 || numel > Long.MAX_VALUE / 8) {
                throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " overflows 64-bit size");
            }
        }
        return new ContinuousTensor(data, dtype, shape.clone());
    }

    @JsonProperty("data")
    public long data() {
        return data;
    }

    @JsonProperty("dtype")
    public DataType dtype() {
        return dtype;
    }

    public int ndims() {
        return shape.length;
    }

    public int shape(int dim) {
        return shape[dim];
    }

    /** A defensive copy of the shape. */
    @JsonProperty("shape")
    public int[] shape() {
        return shape.clone();
    }

    public long numel() {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

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
        return (Long.hashCode(data) * 31 + dtype.hashCode()) * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + Arrays.toString(shape) + " @0x" + Long.toHexString(data) + "]";
    }
}
