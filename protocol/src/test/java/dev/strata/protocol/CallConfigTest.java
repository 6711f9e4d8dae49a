package dev.strata.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CallConfigTest {

    @Test
    void defaultIsOneBlockThreeAicpuThreadsNoProfiling() {
        assertEquals(new CallConfig(1, 3, false), CallConfig.DEFAULT);
        assertEquals(1, CallConfig.DEFAULT.blockDim());
        assertEquals(3, CallConfig.DEFAULT.aicpuThreadNum());
        assertEquals(false, CallConfig.DEFAULT.enableProfiling());
    }

    @Test
    void blockDimBelowOneIsRejectedNamingTheValue() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new CallConfig(0, 3, false));
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> new CallConfig(-4, 3, false));

        assertTrue(zero.getMessage().contains("blockDim") && zero.getMessage().contains("got 0"), zero.getMessage());
        assertTrue(negative.getMessage().contains("got -4"), negative.getMessage());
    }

    @Test
    void negativeAicpuThreadNumIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CallConfig(1, -1, false));

        assertTrue(e.getMessage().contains("aicpuThreadNum"), e.getMessage());
    }

    @Test
    void manyBlocksWithProfilingAreAccepted() {
        CallConfig config = new CallConfig(24, 0, true);

        assertEquals(24, config.blockDim());
        assertTrue(config.enableProfiling());
    }
}
