package dev.strata.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReleaseBatchTest {

    @Test
    void collectsSlotsAndMarksTheFailedOnes() {
        ReleaseBatch b = new ReleaseBatch();
        assertTrue(b.isEmpty());
        b.add(7, false);
        b.add(3, true);
        b.add(9, false);
        assertFalse(b.isEmpty());
        assertEquals(3, b.size());
        assertArrayEquals(new int[] {7, 3, 9}, Arrays.copyOf(b.slots(), b.size()));
        assertEquals(1, b.failedCount());
        assertEquals(3, b.failed()[0]);
        assertTrue(b.hasFailed());
    }

    @Test
    void withoutFailuresHasFailedIsFalse() {
        ReleaseBatch b = new ReleaseBatch();
        b.add(1, false);
        assertFalse(b.hasFailed());
    }

    @Test
    void growsPastItsInitialBuffersAndKeepsOrder() {
        ReleaseBatch b = new ReleaseBatch();
        for (int i = 0; i < 1000; i++) {
            b.add(i, i % 100 == 0);
        }
        assertEquals(1000, b.size());
        assertEquals(10, b.failedCount());
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, b.slots()[i]);
        }
        for (int k = 0; k < 10; k++) {
            assertEquals(k * 100, b.failed()[k]);
        }
    }

    @Test
    void clearEmptiesItForReuse() {
        ReleaseBatch b = new ReleaseBatch();
        b.add(1, true);
        b.clear();
        assertTrue(b.isEmpty());
        assertEquals(0, b.failedCount());
        assertFalse(b.hasFailed());
        b.add(2, false);
        assertEquals(1, b.size());
        assertEquals(2, b.slots()[0]);
        assertEquals(0, b.failedCount());
    }
}
