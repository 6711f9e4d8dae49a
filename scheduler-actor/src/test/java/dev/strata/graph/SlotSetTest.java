package dev.strata.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SlotSetTest {

    @Test
    void addReportsEachSlotOnceUntilCleared() {
        SlotSet set = new SlotSet();
        assertTrue(set.add(7));
        assertTrue(set.add(0));
        assertFalse(set.add(7));
        assertEquals(2, set.size());
        set.clear();
        assertEquals(0, set.size());
        assertTrue(set.add(7), "a cleared set forgets its slots");
    }

    @Test
    void aWideJoinCostsAConstantNumberOfProbesPerSlot() {
        SlotSet set = new SlotSet();
        int n = 200_000;
        for (int s = 0; s < n; s++) {
            assertTrue(set.add(s));
        }
        for (int s = 0; s < n; s++) {
            assertFalse(set.add(s)); // every tensor of the join names its producer twice
        }
        assertEquals(n, set.size());
        long perAdd = set.probes() / (2L * n);
        assertTrue(perAdd <= 4, "probes per add: " + perAdd + " (a linear scan would be ~" + n / 2 + ")");
    }

    @Test
    void clearingManyTimesKeepsSlotsOfOlderEpochsOut() {
        SlotSet set = new SlotSet();
        for (int round = 0; round < 10_000; round++) {
            assertTrue(set.add(round % 3));
            assertTrue(set.add(1_000 + round));
            assertEquals(2, set.size());
            set.clear();
        }
    }
}
