package dev.strata.ring;

import static dev.strata.ring.HeapRing.ALIGNMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SlabHeapTest {
    private static final long BASE = 1L << 20;

    private final Set<Integer> released = new HashSet<>();
    private final SlabHeap heap = new SlabHeap(BASE, 4 * ALIGNMENT);

    @Test
    void slabsAreBumpAllocatedAndComeBackInFifoOrderOnly() {
        assertEquals(BASE, heap.place(0, heap.placement(ALIGNMENT), ALIGNMENT));
        assertEquals(BASE + ALIGNMENT, heap.place(5, heap.placement(2 * ALIGNMENT), 2 * ALIGNMENT));
        assertEquals(3 * ALIGNMENT, heap.used());
        released.add(5);
        assertFalse(heap.reclaim(released::contains), "slot 0 is older and still live");
        assertEquals(3 * ALIGNMENT, heap.used());
        released.add(0);
        assertTrue(heap.reclaim(released::contains));
        assertEquals(0, heap.used());
        assertEquals(3 * ALIGNMENT, heap.highWater());
        assertTrue(heap.checkInvariants(released::contains));
    }

    @Test
    void aSlabThatDoesNotFitAtTheEndWrapsAndCarriesTheSkippedBytes() {
        heap.place(0, heap.placement(3 * ALIGNMENT), 3 * ALIGNMENT);
        heap.place(1, heap.placement(ALIGNMENT), ALIGNMENT); // fills the heap
        assertEquals(-1, heap.placement(ALIGNMENT));
        released.add(0);
        heap.reclaim(released::contains);
        long wrapped = heap.placement(2 * ALIGNMENT);
        assertEquals(0, wrapped, "does not fit after top, fits before tail");
        heap.place(2, wrapped, 2 * ALIGNMENT);
        assertEquals(3 * ALIGNMENT, heap.used());
        assertTrue(heap.checkInvariants(released::contains));
        released.add(1);
        released.add(2);
        heap.reclaim(released::contains);
        assertEquals(0, heap.used(), "the wrap waste came back with the wrapped slab");
    }

    @Test
    void resetWithAQueuedSlabIsRejected() {
        heap.place(0, heap.placement(ALIGNMENT), ALIGNMENT);
        assertThrows(IllegalStateException.class, heap::reset);
    }

    @Test
    void theQueueGrowsPastItsInitialCapacity() {
        SlabHeap big = new SlabHeap(BASE, 1000L * ALIGNMENT);
        for (int s = 0; s < 100; s++) {
            big.place(s, big.placement(ALIGNMENT), ALIGNMENT);
        }
        for (int s = 0; s < 100; s++) {
            released.add(s);
        }
        assertTrue(big.reclaim(released::contains));
        assertEquals(0, big.used());
    }
}
