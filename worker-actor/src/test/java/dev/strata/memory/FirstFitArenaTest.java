package dev.strata.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The arena allocator on its own: addresses only, no file and no mapping. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FirstFitArenaTest {

    private static final long BASE = 0x10_0000_0000L;
    private static final long SIZE = 4096;

    private final FirstFitArena arena = new FirstFitArena(BASE, SIZE);

    // ---- allocation and alignment ------------------------------------------------------------------------

    @Test
    void firstAllocationsArePackedFromTheBaseInAlignedUnits() {
        assertEquals(BASE, arena.allocate(1));
        assertEquals(BASE + 64, arena.allocate(64));
        assertEquals(BASE + 128, arena.allocate(65));
        assertEquals(BASE + 256, arena.allocate(0), "a zero-byte request still takes one unit");
        assertEquals(BASE + 320, arena.allocate(10));
        arena.checkInvariants();
    }

    @Test
    void everyAddressIsAligned() {
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            long address = arena.allocate(random.nextInt(150));
            assertEquals(0, address % FirstFitArena.ALIGNMENT, Long.toHexString(address));
        }
    }

    @Test
    void wholeArenaCanBeOneAllocation() {
        assertEquals(BASE, arena.allocate(SIZE));
        assertThrows(IllegalStateException.class, () -> arena.allocate(0));
    }

    @Test
    void lowestBlockThatFitsIsChosen() {
        long a = arena.allocate(64);
        arena.allocate(64);
        long c = arena.allocate(256);
        arena.allocate(64);
        arena.free(a); // 64-byte hole at the start
        arena.free(c); // 256-byte hole further on

        assertEquals(c, arena.allocate(128), "the first hole is too small, the second fits");
        assertEquals(a, arena.allocate(64), "the first hole fits exactly");
        arena.checkInvariants();
    }

    @Test
    void misalignedOrEmptyArenaIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new FirstFitArena(BASE + 1, SIZE));
        assertThrows(IllegalArgumentException.class, () -> new FirstFitArena(BASE, 100));
        assertThrows(IllegalArgumentException.class, () -> new FirstFitArena(BASE, 0));
    }

    @Test
    void negativeRequestIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> arena.allocate(-1));
    }

    // ---- free and coalescing -----------------------------------------------------------------------------

    @Test
    void freeingInAnyOrderMergesBackIntoOneBlock() {
        long a = arena.allocate(SIZE / 4);
        long b = arena.allocate(SIZE / 4);
        long c = arena.allocate(SIZE / 4);
        long d = arena.allocate(SIZE / 4);

        // Out of order so that merging backwards, forwards and both ways are all needed.
        arena.free(b);
        arena.free(d);
        arena.checkInvariants();
        arena.free(c);
        arena.checkInvariants();
        arena.free(a);

        arena.checkInvariants();
        assertEquals(BASE, arena.allocate(SIZE));
    }

    @Test
    void doubleFreeIsNamed() {
        long a = arena.allocate(100);
        arena.free(a);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> arena.free(a));

        assertEquals("cannot free 0x1000000000: double free, the tensor there was already freed", e.getMessage());
    }

    @Test
    void freeInsideALiveBlockNamesTheBlock() {
        arena.allocate(64);
        long b = arena.allocate(256);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> arena.free(b + 64));

        assertEquals("cannot free 0x1000000080: not allocated, it lies inside the tensor allocated at 0x1000000040",
                e.getMessage());
    }

    @Test
    void freeWhereNothingStartsIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> arena.free(BASE + 512));

        assertEquals("cannot free 0x1000000200: not allocated, no tensor from allocate() starts there",
                e.getMessage());
    }

    @Test
    void reallocatedAddressIsNoLongerADoubleFree() {
        long a = arena.allocate(64);
        arena.free(a);
        assertEquals(a, arena.allocate(64));

        arena.free(a);

        arena.checkInvariants();
    }

    // ---- exhaustion --------------------------------------------------------------------------------------

    @Test
    void exhaustionNamesRequestLargestFreeBlockAndArenaSize() {
        long a = arena.allocate(1024);
        arena.allocate(1024);
        arena.free(a);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> arena.allocate(2049));

        assertEquals("user arena full: requested 2112 bytes, largest free block 2048 of arena-size 4096; "
                + "raise strata.worker.arena-size", e.getMessage());
        arena.checkInvariants();
    }

    @Test
    void requestLargerThanTheArenaIsReportedUnrounded() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> arena.allocate(Long.MAX_VALUE));

        assertTrue(e.getMessage().startsWith("user arena full: requested " + Long.MAX_VALUE + " bytes, largest "
                + "free block 4096"), e.getMessage());
    }

    // ---- against a reference model -----------------------------------------------------------------------

    @Test
    void randomOperationsMatchAUnitByUnitReferenceModel() {
        int units = 64;
        for (long seed = 1; seed <= 50; seed++) {
            Random random = new Random(seed);
            FirstFitArena subject = new FirstFitArena(BASE, units * 64L);
            ReferenceArena model = new ReferenceArena(units);
            List<Long> live = new ArrayList<>();
            for (int step = 0; step < 400; step++) {
                String where = "seed " + seed + " step " + step;
                int choice = random.nextInt(10);
                if (choice < 5) {
                    long nbytes = random.nextInt(random.nextBoolean() ? 200 : 1500);
                    Long expected = model.allocate(nbytes);
                    if (expected == null) {
                        IllegalStateException e = assertThrows(IllegalStateException.class,
                                () -> subject.allocate(nbytes), where);
                        assertEquals("user arena full: requested " + model.units(nbytes) * 64 + " bytes, largest "
                                + "free block " + model.largestFreeRun() * 64 + " of arena-size " + units * 64
                                + "; raise strata.worker.arena-size", e.getMessage(), where);
                    } else {
                        assertEquals(BASE + expected, subject.allocate(nbytes), where);
                        live.add(BASE + expected);
                    }
                } else if (choice < 9 && !live.isEmpty()) {
                    long address = live.remove(random.nextInt(live.size()));
                    model.free(address - BASE);
                    subject.free(address);
                } else {
                    // A free the model says is wrong: a stale, inner or never-used address.
                    long address = BASE + 64L * random.nextInt(units) + (random.nextInt(4) == 0 ? 8 : 0);
                    if (!live.contains(address)) {
                        assertThrows(IllegalArgumentException.class, () -> subject.free(address), where);
                    }
                }
                subject.checkInvariants();
            }
        }
    }

    /**
     * The specification, spelled out unit by unit: first fit is the lowest run of free 64-byte units long
     * enough; freeing clears the units. No coalescing to get wrong, since runs are found by scanning.
     */
    private static final class ReferenceArena {
        private final boolean[] used;
        /** Live blocks: offset -> units. */
        private final Map<Long, Long> blocks = new HashMap<>();

        ReferenceArena(int units) {
            used = new boolean[units];
        }

        long units(long nbytes) {
            return Math.max(1, (nbytes + 63) / 64);
        }

        /** Offset of the block, or null when no run is long enough. */
        Long allocate(long nbytes) {
            long need = units(nbytes);
            int run = 0;
            for (int i = 0; i < used.length; i++) {
                run = used[i] ? 0 : run + 1;
                if (run == need) {
                    int first = i - run + 1;
                    Arrays.fill(used, first, i + 1, true);
                    blocks.put(first * 64L, need);
                    return first * 64L;
                }
            }
            return null;
        }

        void free(long offset) {
            Long need = blocks.remove(offset);
            assertNotNull(need, "the model frees only what it handed out");
            Arrays.fill(used, (int) (offset / 64), (int) (offset / 64 + need), false);
        }

        long largestFreeRun() {
            long best = 0;
            long run = 0;
            for (boolean u : used) {
                run = u ? 0 : run + 1;
                best = Math.max(best, run);
            }
            return best;
        }
    }
}
