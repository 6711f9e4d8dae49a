package dev.strata.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DataTypeTest {

    @Test
    void orderAndElementSizesMatchTheSeed() {
        assertEquals("[FLOAT32, FLOAT16, INT32, INT16, INT8, UINT8, BFLOAT16, INT64, UINT64]",
                Arrays.toString(DataType.values()));
        assertArrayEquals(new int[] {4, 2, 4, 2, 1, 1, 2, 8, 8},
                Arrays.stream(DataType.values()).mapToInt(DataType::elementSize).toArray());
    }

    @Test
    void fromCodeIsTheInverseOfOrdinal() {
        for (DataType dtype : DataType.values()) {
            assertEquals(dtype, DataType.fromCode(dtype.ordinal()));
        }
    }

    @Test
    void unknownCodeIsRejectedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataType.fromCode(9));

        assertTrue(e.getMessage().contains("unknown dtype code 9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataType.fromCode(-1));
    }
}
