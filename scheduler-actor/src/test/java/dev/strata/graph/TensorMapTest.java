package dev.strata.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TensorMapTest {

    @Test
    void lookupOfUnknownAddressIsMinusOne() {
        assertEquals(-1, new TensorMap().lookup(0x1000));
    }

    @Test
    void insertThenLookup() {
        TensorMap m = new TensorMap();
        m.insert(0x1000, 7);
        assertEquals(7, m.lookup(0x1000));
        assertEquals(1, m.size());
    }

    @Test
    void insertOverwritesTheProducer() {
        TensorMap m = new TensorMap();
        m.insert(0x1000, 7);
        m.insert(0x1000, 9);
        assertEquals(9, m.lookup(0x1000));
        assertEquals(1, m.size());
    }

    @Test
    void eraseRemovesOnlyItsOwnEntry() {
        TensorMap m = new TensorMap();
        m.insert(0x1000, 7);
        m.insert(0x1000, 9); // a newer producer of the same buffer
        assertFalse(m.eraseIfOwner(0x1000, 7), "slot 7 no longer owns the entry");
        assertEquals(9, m.lookup(0x1000));
        assertTrue(m.eraseIfOwner(0x1000, 9));
        assertEquals(-1, m.lookup(0x1000));
        assertEquals(0, m.size());
    }

    @Test
    void addressZeroIsNeverTracked() {
        TensorMap m = new TensorMap();
        assertThrows(IllegalArgumentException.class, () -> m.insert(0, 1));
        assertEquals(-1, m.lookup(0));
    }

    @Test
    void sweepDropsEntriesOfDeadSlots() {
        TensorMap m = new TensorMap();
        for (int i = 1; i <= 100; i++) {
            m.insert(i * 1024L, i);
        }
        assertEquals(50, m.sweep(slot -> slot % 2 == 0));
        assertEquals(50, m.size());
        assertEquals(-1, m.lookup(3 * 1024L));
        assertEquals(4, m.lookup(4 * 1024L));
    }

    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        long seed = 42;
        Random r = new Random(seed);
        TensorMap m = new TensorMap(4);
        Map<Long, Integer> model = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            long addr = 1 + r.nextInt(5_000) * 64L;
            int op = r.nextInt(3);
            if (op == 0) {
                m.insert(addr, step);
                model.put(addr, step);
            } else if (op == 1) {
                Integer owner = model.get(addr);
                int slot = owner != null && r.nextBoolean() ? owner : step;
                boolean erased = m.eraseIfOwner(addr, slot);
                assertEquals(owner != null && owner == slot, erased, "seed " + seed + " step " + step);
                if (erased) {
                    model.remove(addr);
                }
            } else {
                assertEquals(model.getOrDefault(addr, -1), m.lookup(addr), "seed " + seed + " step " + step);
            }
        }
        assertEquals(model.size(), m.size());
    }
}
