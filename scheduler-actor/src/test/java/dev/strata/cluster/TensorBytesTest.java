package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TensorBytesTest {
    @Test
    void tensorBytesAreEitherInlineOrStreamedNeverBothOrNeither() {
        assertThrows(IllegalArgumentException.class, () -> new TensorBytes(0, null, null));
        assertThrows(IllegalArgumentException.class, () -> new TensorBytes(3, new byte[2], null));
    }

    @Test
    void noneIsZeroInlineBytes() {
        assertEquals(0, TensorBytes.NONE.size());
        assertFalse(TensorBytes.NONE.streamed());
        assertEquals("TensorBytes[0 inline]", TensorBytes.NONE.toString());
    }
}
