package dev.strata.protocol;

/** Element type of a tensor; same order and element sizes as the seed's {@code DataType}. */
public enum DataType {
    FLOAT32(4), FLOAT16(2), INT32(4), INT16(2), INT8(1), UINT8(1), BFLOAT16(2), INT64(8), UINT64(8);

    private final int elementSize;

    DataType(int elementSize) {
        this.elementSize = elementSize;
    }

    /** Bytes per element. */
    public int elementSize() {
        return elementSize;
    }

    /** The type with the given wire code (its ordinal), or IllegalArgumentException naming the code. */
    public static DataType fromCode(int code) {
        DataType[] all = values();
        if (code < 0 || code >= all.length) {
            throw new IllegalArgumentException("unknown dtype code " + code + " (valid: 0.." + (all.length - 1) + ")");
        }
        return all[code];
    }
}
