package dev.strata.node.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LocalTensorMemoryTest {

    @Test
    void allocatesDistinctZeroFilledTensorsAtNonZeroAddresses() {
        LocalTensorMemory memory = new LocalTensorMemory(4096);
        ContinuousTensor a = memory.allocate(DataType.FLOAT32, 3, 3);
        ContinuousTensor b = memory.allocate(DataType.INT64, 2);
        assertNotEquals(0, a.data());
        assertNotEquals(a.data(), b.data());
        assertEquals(0, b.data() % 64);
        assertArrayEquals(new float[9], memory.readFloats(a));
        memory.write(a, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertEquals(5f, memory.floats(a).get(4));
        assertEquals(0L, memory.longs(b).get(1), "writes to a stay inside a");
    }

    @Test
    void refusesWrongDtypeForeignAddressAndOverflow() {
        LocalTensorMemory memory = new LocalTensorMemory(256);
        ContinuousTensor a = memory.allocate(DataType.INT32, 4);
        assertThrows(IllegalArgumentException.class, () -> memory.floats(a));
        assertThrows(IllegalArgumentException.class, () -> memory.bytes(a.withData(12345)));
        assertThrows(IllegalStateException.class, () -> memory.allocate(DataType.FLOAT32, 1000));
    }
}
