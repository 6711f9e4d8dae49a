package dev.strata.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ContinuousTensorTest {

    private static String rejection(Runnable construct) {
        return assertThrows(IllegalArgumentException.class, construct::run).getMessage();
    }

    @Test
    void zeroDimsAreRejectedNamingTheCount() {
        String message = rejection(() -> ContinuousTensor.of(0, DataType.FLOAT32));

        assertTrue(message.contains("1..5 dims") && message.contains("got 0"), message);
    }

    @Test
    void sixDimsAreRejectedNamingTheCount() {
        String message = rejection(() -> ContinuousTensor.of(0, DataType.FLOAT32, 1, 2, 3, 4, 5, 6));

        assertTrue(message.contains("got 6") && message.contains("[1, 2, 3, 4, 5, 6]"), message);
    }

    @Test
    void nullShapeIsRejected() {
        String message = rejection(() -> ContinuousTensor.of(0, DataType.FLOAT32, (int[]) null));

        assertTrue(message.contains("got null"), message);
    }

    @Test
    void negativeDimIsRejectedNamingTheValue() {
        String message = rejection(() -> ContinuousTensor.of(0, DataType.INT32, 2, -3));

        assertTrue(message.contains("dim 1") && message.contains("-3"), message);
    }

    @Test
    void nullDtypeIsRejected() {
        String message = rejection(() -> ContinuousTensor.of(0, null, 4));

        assertTrue(message.contains("dtype") && message.contains("null"), message);
    }

    @Test
    void shapeWhoseByteSizeOverflowsALongIsRejected() {
        // 2^30 * 2^29 * 2^30 elements wraps a long to exactly 0: the check must not be fooled by that.
        String message = rejection(() -> ContinuousTensor.of(0, DataType.FLOAT32, 1 << 30, 1 << 29, 1 << 30));

        assertTrue(message.contains("overflows"), message);
    }

    @Test
    void zeroSizedDimMakesAnEmptyTensorEvenWithHugeOtherDims() {
        int max = Integer.MAX_VALUE;
        ContinuousTensor t = ContinuousTensor.of(0, DataType.INT64, max, max, max, max, 0);

        assertEquals(0, t.numel());
        assertEquals(0, t.nbytes());
    }

    @Test
    void equalValuesAreEqualWithEqualHashCodes() {
        ContinuousTensor a = ContinuousTensor.of(0x100, DataType.FLOAT16, 2, 3);
        ContinuousTensor b = ContinuousTensor.of(0x100, DataType.FLOAT16, new int[] {2, 3});

        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }

    @Test
    void differentDataDtypeOrShapeAreNotEqual() {
        ContinuousTensor a = ContinuousTensor.of(0x100, DataType.FLOAT16, 2, 3);

        assertNotEquals(a, ContinuousTensor.of(0x200, DataType.FLOAT16, 2, 3));
        assertNotEquals(a, ContinuousTensor.of(0x100, DataType.BFLOAT16, 2, 3));
        assertNotEquals(a, ContinuousTensor.of(0x100, DataType.FLOAT16, 3, 2));
        assertNotEquals(a, ContinuousTensor.of(0x100, DataType.FLOAT16, 2, 3, 1));
    }

    @Test
    void shapeIsADefensiveCopyBothWays() {
        int[] input = {4, 5};
        ContinuousTensor t = ContinuousTensor.of(0, DataType.INT8, input);

        input[0] = 99;
        t.shape()[1] = 99;

        assertArrayEquals(new int[] {4, 5}, t.shape());
    }

    @Test
    void shapeOfOneDimAndNdims() {
        ContinuousTensor t = ContinuousTensor.of(0, DataType.INT8, 4, 5, 6);

        assertEquals(3, t.ndims());
        assertEquals(5, t.shape(1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.shape(3));
    }

    @Test
    void numelIsTheProductOfDimsAndNbytesScalesByElementSize() {
        ContinuousTensor t = ContinuousTensor.of(0, DataType.FLOAT16, 2, 3, 4);

        assertEquals(24, t.numel());
        assertEquals(48, t.nbytes());
        assertEquals(24L * 8, ContinuousTensor.of(0, DataType.UINT64, 2, 3, 4).nbytes());
    }

    @Test
    void withDataKeepsDtypeAndShapeAndLeavesTheOriginalAlone() {
        ContinuousTensor unallocated = ContinuousTensor.of(0, DataType.INT32, 7, 8);

        ContinuousTensor placed = unallocated.withData(0xBEEF);

        assertEquals(ContinuousTensor.of(0xBEEF, DataType.INT32, 7, 8), placed);
        assertEquals(0, unallocated.data());
    }

    @Test
    void toStringShowsDtypeShapeAndHexAddress() {
        assertEquals("Tensor[INT32[7, 8] @0xbeef]", ContinuousTensor.of(0xBEEF, DataType.INT32, 7, 8).toString());
    }
}
