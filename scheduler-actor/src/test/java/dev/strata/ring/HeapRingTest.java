package dev.strata.ring;

import static dev.strata.ring.HeapRing.ALIGNMENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.strata.ring.HeapRing.Allocation;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HeapRingTest {

    /** An aligned, non-zero base so addresses and offsets differ. */
    private static final long BASE = 1L << 20;
    private static final Duration NO_WAIT = Duration.ZERO;
    private static final Duration LONG = Duration.ofSeconds(20);
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    // ---- slot ids ---------------------------------------------------------------------------

    @Test
    void monotonicIds() {
        HeapRing ring = new HeapRing(BASE, 16 * ALIGNMENT);
        for (int expected = 0; expected < 10; expected++) {
            assertEquals(expected, ring.nextSlot());
            Allocation a = ring.allocate(expected % 2 == 0 ? 0 : 100, NO_WAIT);
            assertEquals(expected, a.slot());
            assertTrue(ring.isLive(expected));
        }
        ring.release(3); // releasing out of order does not make ids reusable
        assertEquals(10, ring.allocate(0, NO_WAIT).slot());
        assertEquals(10, ring.liveSlots());
    }

    @Test
    void idsGrowPastAnyFixedWindow() {
        HeapRing ring = new HeapRing(BASE, 8 * ALIGNMENT);
        ArrayDeque<Integer> live = new ArrayDeque<>();
        for (int i = 0; i < 100_000; i++) {
            Allocation a = ring.allocate(ALIGNMENT, NO_WAIT);
            assertEquals(i, a.slot());
            live.addLast(a.slot());
            if (live.size() > 3) {
                ring.release(live.removeFirst());
            }
            assertTrue(ring.liveSlots() <= 4);
        }
        assertEquals(100_000, ring.nextSlot());
        while (!live.isEmpty()) {
            ring.release(live.removeFirst());
        }
        assertEquals(0, ring.liveSlots());
        assertEquals(0, ring.bytesInUse());
        assertTrue(ring.checkInvariants());
    }

    @Test
    void windowGrowsWhenOldestSlotStaysLive() {
        // The oldest slot pins the FIFO frontier, so every newer slot stays pending: the slot
        // window must grow far beyond its initial size and keep each slot's state.
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        ring.allocate(ALIGNMENT, NO_WAIT); // slot 0, held
        for (int i = 1; i < 5_000; i++) {
            assertEquals(i, ring.allocate(0, NO_WAIT).slot());
            if (i % 2 == 0) {
                ring.release(i);
            }
        }
        assertEquals(1 + 2_500, ring.liveSlots());
        assertTrue(ring.isLive(1));
        assertFalse(ring.isLive(2));
        assertTrue(ring.checkInvariants());
        ring.release(0);
        assertEquals(0, ring.bytesInUse());
        for (int i = 1; i < 5_000; i += 2) {
            ring.release(i);
        }
        assertEquals(0, ring.liveSlots());
        assertTrue(ring.checkInvariants());
    }

    @Test
    void slotIdLimitIsAClearError() {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        ring.startSlotsAt(Integer.MAX_VALUE - 2);
        assertEquals(Integer.MAX_VALUE - 2, ring.allocate(0, NO_WAIT).slot());
        assertEquals(Integer.MAX_VALUE - 1, ring.allocate(ALIGNMENT, NO_WAIT).slot());
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> ring.allocate(0, NO_WAIT));
        assertTrue(e.getMessage().contains("Integer.MAX_VALUE"), e.getMessage());
        ring.release(Integer.MAX_VALUE - 1);
        ring.release(Integer.MAX_VALUE - 2);
        ring.reset();
        assertEquals(0, ring.allocate(0, NO_WAIT).slot());
    }

    // ---- heap slabs -------------------------------------------------------------------------

    @Test
    void slabsAreAlignedAndDistinct() {
        long size = 64 * ALIGNMENT;
        HeapRing ring = new HeapRing(BASE, size);
        long[] requests = {1, 1023, 1024, 1025, 4000, 5 * ALIGNMENT, 7};
        List<Allocation> slabs = new ArrayList<>();
        for (long bytes : requests) {
            Allocation a = ring.allocate(bytes, NO_WAIT);
            assertEquals(0, a.address() % ALIGNMENT, a::toString);
            assertEquals(roundUp(bytes), a.bytes(), a::toString);
            assertTrue(a.address() >= BASE && a.address() + a.bytes() <= BASE + size, a::toString);
            for (Allocation other : slabs) {
                assertDisjoint(a, other);
            }
            slabs.add(a);
        }
        assertEquals(slabs.stream().mapToLong(Allocation::bytes).sum(), ring.bytesInUse());
    }

    @Test
    void allocLargerThanHeapFailsAtOnce() {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        long start = System.nanoTime();
        // A long timeout must not matter: waiting could never help.
        RingExhaustedException e = assertThrows(RingExhaustedException.class,
                () -> ring.allocate(4 * ALIGNMENT + 1, Duration.ofHours(1)));
        assertTrue(System.nanoTime() - start < DEADLINE_NANOS);
        assertTrue(e.getMessage().contains("strata.worker.heap-ring-size = 4096"), e.getMessage());
        assertTrue(e.getMessage().contains("allocation of 4097 bytes"), e.getMessage());
        assertThrows(RingExhaustedException.class, () -> ring.allocate(Long.MAX_VALUE, LONG));
        // Exactly the whole heap fits.
        assertEquals(BASE, ring.allocate(4 * ALIGNMENT, NO_WAIT).address());
        assertEquals(0, ring.backPressureWaits());
    }

    @Test
    void roundingPastAnUnalignedHeapSizeFailsAtOnce() {
        HeapRing ring = new HeapRing(BASE, 1500);
        RingExhaustedException e =
                assertThrows(RingExhaustedException.class, () -> ring.allocate(1100, LONG));
        assertTrue(e.getMessage().contains("2048"), e.getMessage());
        assertEquals(ALIGNMENT, ring.allocate(1000, NO_WAIT).bytes());
    }

    @Test
    void fifoReclamation() {
        HeapRing ring = new HeapRing(BASE, 8 * ALIGNMENT);
        Allocation older = ring.allocate(2 * ALIGNMENT, NO_WAIT);
        Allocation newer = ring.allocate(3 * ALIGNMENT, NO_WAIT);
        assertEquals(5 * ALIGNMENT, ring.bytesInUse());

        ring.release(newer.slot()); // behind a live older slot: nothing comes back
        assertFalse(ring.isLive(newer.slot()));
        assertEquals(5 * ALIGNMENT, ring.bytesInUse());
        assertEquals(1, ring.liveSlots());

        ring.release(older.slot()); // frontier passes both
        assertEquals(0, ring.bytesInUse());
        assertEquals(0, ring.liveSlots());
    }

    @Test
    void wrapsWhenTailLeadsTop() {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        Allocation a = ring.allocate(ALIGNMENT, NO_WAIT);
        Allocation b = ring.allocate(ALIGNMENT, NO_WAIT);
        ring.allocate(2 * ALIGNMENT, NO_WAIT); // heap now full
        assertEquals(4 * ALIGNMENT, ring.bytesInUse());
        assertThrows(RingExhaustedException.class, () -> ring.allocate(1, NO_WAIT));

        ring.release(a.slot());
        Allocation wrapped = ring.allocate(ALIGNMENT, NO_WAIT);
        assertEquals(BASE, wrapped.address());
        assertEquals(4 * ALIGNMENT, ring.bytesInUse());

        // A slab never splits around the end: with one free unit behind tail, two do not fit.
        ring.release(b.slot());
        assertThrows(RingExhaustedException.class, () -> ring.allocate(2 * ALIGNMENT, NO_WAIT));
        assertEquals(BASE + ALIGNMENT, ring.allocate(ALIGNMENT, NO_WAIT).address());
    }

    @Test
    void wrapWasteReturnsWithTheWrappedSlab() {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        Allocation a = ring.allocate(2 * ALIGNMENT, NO_WAIT); // [0, 2)
        Allocation b = ring.allocate(ALIGNMENT, NO_WAIT); // [2, 3)
        ring.release(a.slot()); // tail = 2; free: [3, 4) and [0, 2)
        Allocation c = ring.allocate(2 * ALIGNMENT, NO_WAIT); // does not fit at 3: wraps to 0
        assertEquals(BASE, c.address());
        assertEquals(4 * ALIGNMENT, ring.bytesInUse()); // b + c + the skipped unit [3, 4)
        ring.release(b.slot()); // tail = 3: the skipped unit stays charged to c
        assertEquals(3 * ALIGNMENT, ring.bytesInUse());
        ring.release(c.slot());
        assertEquals(0, ring.bytesInUse());
        assertTrue(ring.checkInvariants());
    }

    @Test
    void emptyRingRestartsAtHeapBase() {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        Allocation a = ring.allocate(3 * ALIGNMENT, NO_WAIT);
        ring.release(a.slot());
        // Everything reclaimed: the whole heap is contiguous again.
        assertEquals(BASE, ring.allocate(4 * ALIGNMENT, NO_WAIT).address());
    }

    @Test
    void zeroByteAllocDoesNotTouchHeap() {
        HeapRing ring = new HeapRing(BASE, 2 * ALIGNMENT);
        Allocation full = ring.allocate(2 * ALIGNMENT, NO_WAIT);
        long start = System.nanoTime();
        Allocation none = ring.allocate(0, LONG); // heap is full, but it needs none of it
        assertTrue(System.nanoTime() - start < DEADLINE_NANOS);
        assertEquals(new Allocation(full.slot() + 1, 0, 0), none);
        assertEquals(2 * ALIGNMENT, ring.bytesInUse());
        assertEquals(0, ring.backPressureWaits());
        ring.release(none.slot());
        assertEquals(2 * ALIGNMENT, ring.bytesInUse());
        assertEquals(1, ring.liveSlots());
    }

    @Test
    void highWaterTracksPeak() {
        HeapRing ring = new HeapRing(BASE, 16 * ALIGNMENT);
        Allocation a = ring.allocate(3 * ALIGNMENT, NO_WAIT);
        Allocation b = ring.allocate(5 * ALIGNMENT, NO_WAIT);
        assertEquals(8 * ALIGNMENT, ring.highWaterBytes());
        ring.release(a.slot());
        ring.release(b.slot());
        assertEquals(0, ring.bytesInUse());
        assertEquals(8 * ALIGNMENT, ring.highWaterBytes());
        Allocation c = ring.allocate(2 * ALIGNMENT, NO_WAIT);
        assertEquals(8 * ALIGNMENT, ring.highWaterBytes());
        ring.release(c.slot());
        ring.reset();
        assertEquals(0, ring.highWaterBytes());
    }

    // ---- back-pressure ------------------------------------------------------------------------

    @Test
    void backPressureThenReleaseUnblocks() throws Exception {
        HeapRing ring = new HeapRing(BASE, 2 * ALIGNMENT);
        Allocation first = ring.allocate(2 * ALIGNMENT, NO_WAIT);

        CompletableFuture<Allocation> second = inThread(() -> ring.allocate(ALIGNMENT, LONG));
        awaitTrue(() -> ring.waitingAllocators() == 1, "allocator blocked on a full ring");
        assertFalse(second.isDone());
        assertEquals(1, ring.backPressureWaits());

        ring.release(first.slot());
        Allocation got = second.get(10, TimeUnit.SECONDS);
        assertEquals(first.slot() + 1, got.slot());
        assertEquals(BASE, got.address());
        assertEquals(0, ring.waitingAllocators());
        assertEquals(1, ring.backPressureWaits());
    }

    @Test
    void releaseThatFreesTooLittleKeepsWaiting() throws Exception {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        Allocation a = ring.allocate(ALIGNMENT, NO_WAIT);
        Allocation b = ring.allocate(3 * ALIGNMENT, NO_WAIT);

        CompletableFuture<Allocation> big = inThread(() -> ring.allocate(2 * ALIGNMENT, LONG));
        awaitTrue(() -> ring.waitingAllocators() == 1, "allocator blocked");
        ring.release(a.slot()); // frees one unit: the waiter wakes, re-checks, and waits again
        awaitTrue(() -> ring.waitingAllocators() == 1 && ring.bytesInUse() == 3 * ALIGNMENT,
                "allocator waiting again");
        assertFalse(big.isDone());

        ring.release(batch(b.slot()));
        assertEquals(BASE, big.get(10, TimeUnit.SECONDS).address());
        assertEquals(1, ring.backPressureWaits()); // one call, however many wake-ups
    }

    @Test
    void timeoutGivesClearError() {
        HeapRing ring = new HeapRing(BASE, 2 * ALIGNMENT);
        ring.allocate(2 * ALIGNMENT, NO_WAIT);
        RingExhaustedException e = assertThrows(RingExhaustedException.class,
                () -> ring.allocate(1500, Duration.ofMillis(50)));
        String m = e.getMessage();
        assertTrue(m.contains("no room for 1500 bytes"), m);
        assertTrue(m.contains("within 50 ms"), m);
        assertTrue(m.contains("strata.worker.heap-ring-size = 2048"), m);
        assertTrue(m.contains("in use 2048 bytes by 1 live slots"), m);
        assertTrue(m.contains("raise strata.worker.heap-ring-size"), m);
        assertEquals(1, ring.backPressureWaits());
        assertEquals(1, ring.liveSlots()); // the failed call took no slot
        assertEquals(1, ring.nextSlot());
    }

    @Test
    void shutdownUnblocksWaitingAlloc() throws Exception {
        HeapRing ring = new HeapRing(BASE, ALIGNMENT);
        ring.allocate(ALIGNMENT, NO_WAIT);
        CompletableFuture<Allocation> waiting = inThread(() -> ring.allocate(ALIGNMENT, LONG));
        awaitTrue(() -> ring.waitingAllocators() == 1, "allocator blocked");

        ring.shutdown();
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException, e::toString);
        assertEquals("heap ring is shut down", e.getCause().getMessage());

        IllegalStateException later =
                assertThrows(IllegalStateException.class, () -> ring.allocate(0, NO_WAIT));
        assertEquals("heap ring is shut down", later.getMessage());
        ring.shutdown(); // idempotent
        ring.release(0); // the scheduler may still release consumed slots
        assertEquals(0, ring.liveSlots());
    }

    // ---- release checks -----------------------------------------------------------------------

    @Test
    void releaseUnknownSlotRejected() {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        ring.allocate(ALIGNMENT, NO_WAIT);
        IllegalArgumentException never =
                assertThrows(IllegalArgumentException.class, () -> ring.release(7));
        assertTrue(never.getMessage().contains("slot 7"), never.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ring.release(-1));
        assertEquals(1, ring.liveSlots());
    }

    @Test
    void doubleReleaseRejected() {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        Allocation a = ring.allocate(ALIGNMENT, NO_WAIT);
        Allocation b = ring.allocate(ALIGNMENT, NO_WAIT);
        ring.release(b.slot()); // pending behind a
        IllegalArgumentException pending =
                assertThrows(IllegalArgumentException.class, () -> ring.release(b.slot()));
        assertTrue(pending.getMessage().contains("slot 1"), pending.getMessage());
        ring.release(a.slot());
        IllegalArgumentException reclaimed =
                assertThrows(IllegalArgumentException.class, () -> ring.release(a.slot()));
        assertTrue(reclaimed.getMessage().contains("slot 0"), reclaimed.getMessage());
        assertTrue(ring.checkInvariants());
    }

    @Test
    void releaseTakesABatchAndEmptiesIt() {
        HeapRing ring = new HeapRing(BASE, 8 * ALIGNMENT);
        for (int i = 0; i < 5; i++) {
            ring.allocate(ALIGNMENT, NO_WAIT);
        }
        ReleaseBatch consumed = batch(3, 1, 0);
        ring.release(consumed);
        assertTrue(consumed.isEmpty(), "the ring took the batch");
        assertEquals(2, ring.liveSlots());
        assertEquals(3 * ALIGNMENT, ring.bytesInUse()); // 0 and 1 reclaimed, 3 waits behind 2
        ReleaseBatch twice = batch(2, 2);
        assertThrows(IllegalArgumentException.class, () -> ring.release(twice));
        assertTrue(twice.isEmpty(), "emptied even when a slot is rejected");
        assertFalse(ring.isLive(2)); // slots before the rejected one stay released
        ring.release(batch(4));
        assertEquals(0, ring.liveSlots());
        assertEquals(0, ring.bytesInUse());
    }

    @Test
    void tryReleaseGivesUpAtOnceWhileTheLockIsBusy() throws Exception {
        HeapRing ring = new HeapRing(BASE, 8 * ALIGNMENT);
        int slot = ring.allocate(ALIGNMENT, NO_WAIT).slot();
        ReleaseBatch consumed = batch(slot);
        try (RingLock busy = RingLock.hold(ring)) {
            assertFalse(ring.tryRelease(consumed), "the lock is held by another thread");
            assertEquals(1, consumed.size(), "the batch is left for a later try");
        }
        assertTrue(ring.tryRelease(consumed));
        assertTrue(consumed.isEmpty());
        assertEquals(0, ring.liveSlots());
        assertEquals(0, ring.bytesInUse());
    }

    private static ReleaseBatch batch(int... slots) {
        ReleaseBatch b = new ReleaseBatch();
        for (int s : slots) {
            b.add(s, false);
        }
        return b;
    }

    // ---- task window --------------------------------------------------------------------------

    @Test
    void aFullTaskWindowMakesEvenASlabLessSubmitWaitForARelease() throws Exception {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT, 2);
        Allocation a = ring.allocate(0, NO_WAIT);
        ring.allocate(0, NO_WAIT);
        CompletableFuture<Allocation> third = inThread(() -> ring.allocate(0, LONG));
        awaitTrue(() -> ring.waitingAllocators() == 1, "third submit waits for the window");
        assertFalse(third.isDone());
        ring.release(a.slot());
        assertEquals(2, third.get(10, TimeUnit.SECONDS).slot());
        assertEquals(1, ring.backPressureWaits());
        assertTrue(ring.checkInvariants());
    }

    @Test
    void aTaskWindowThatStaysFullFailsNamingTheKeyToRaise() {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT, 1);
        ring.allocate(0, NO_WAIT);
        RingExhaustedException e = assertThrows(RingExhaustedException.class,
                () -> ring.allocate(0, Duration.ofMillis(20)));
        assertTrue(e.getMessage().contains("task window full"), e.getMessage());
        assertTrue(e.getMessage().contains("raise strata.worker.task-window"), e.getMessage());
        assertTrue(e.getMessage().contains("= 1)"), e.getMessage());
        assertEquals(1, ring.liveSlots(), "the failed submit took no slot");
    }

    @Test
    void memoryOfTheRingDependsOnTheWindowNotTheRunLength() {
        HeapRing ring = new HeapRing(BASE, 64 * ALIGNMENT, 1024);
        ArrayDeque<Integer> live = new ArrayDeque<>();
        for (int i = 0; i < 1_000_000; i++) {
            if (live.size() == 1024) {
                ring.release(live.poll());
            }
            live.add(ring.allocate(i % 16 == 0 ? ALIGNMENT : 0, NO_WAIT).slot());
        }
        assertEquals(1024, ring.liveSlots());
        assertThrows(RingExhaustedException.class, () -> ring.allocate(0, NO_WAIT), "window of 1024 is full");
        assertTrue(ring.checkInvariants());
    }

    // ---- drain and reset ----------------------------------------------------------------------

    @Test
    void awaitDrainedReturnsWhenLastSlotReleased() throws Exception {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        assertTrue(ring.awaitDrained(NO_WAIT)); // nothing allocated
        Allocation a = ring.allocate(ALIGNMENT, NO_WAIT);
        Allocation b = ring.allocate(0, NO_WAIT);
        assertFalse(ring.awaitDrained(Duration.ofMillis(10)));

        CompletableFuture<Boolean> drained = inThread(() -> {
            try {
                return ring.awaitDrained(LONG);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        awaitTrue(ring::hasDrainWaiters, "drain waiter blocked");
        ring.release(b.slot());
        assertFalse(drained.isDone()); // slot a is still live
        assertFalse(ring.awaitDrained(NO_WAIT));
        ring.release(a.slot());
        assertTrue(drained.get(10, TimeUnit.SECONDS));
    }

    @Test
    void shutdownWakesDrainWaiter() throws Exception {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        ring.allocate(ALIGNMENT, NO_WAIT);
        CompletableFuture<Boolean> drained = inThread(() -> {
            try {
                return ring.awaitDrained(LONG);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        awaitTrue(ring::hasDrainWaiters, "drain waiter blocked");
        ring.shutdown();
        assertFalse(drained.get(10, TimeUnit.SECONDS)); // woken, but a slot is still live
    }

    @Test
    void resetRequiresEverythingReleased() {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        ring.allocate(ALIGNMENT, NO_WAIT);
        ring.allocate(ALIGNMENT, NO_WAIT);
        ring.allocate(0, NO_WAIT);
        ring.release(0);
        ring.release(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, ring::reset);
        assertTrue(e.getMessage().contains("1 slot(s) still live"), e.getMessage());
        assertTrue(e.getMessage().contains("oldest live slot 1"), e.getMessage());
        assertEquals(3, ring.nextSlot()); // a refused reset changes nothing

        ring.release(1);
        ring.reset();
        assertEquals(0, ring.nextSlot());
        assertEquals(0, ring.bytesInUse());
        Allocation again = ring.allocate(ALIGNMENT, NO_WAIT);
        assertEquals(new Allocation(0, BASE, ALIGNMENT), again);
    }

    // ---- construction and arguments -----------------------------------------------------------

    @Test
    void constructorRejectsBadRegions() {
        IllegalArgumentException small =
                assertThrows(IllegalArgumentException.class, () -> new HeapRing(BASE, 1023));
        assertTrue(small.getMessage().contains("heapSize"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HeapRing(BASE + 8, 4096));
        assertThrows(IllegalArgumentException.class, () -> new HeapRing(-ALIGNMENT, 4096));
        assertThrows(IllegalArgumentException.class,
                () -> new HeapRing(Long.MAX_VALUE - 1023 - ALIGNMENT, 4 * ALIGNMENT));
        assertNotNull(new HeapRing(0, ALIGNMENT).toString());
    }

    @Test
    void negativeSizeRejected() {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        assertThrows(IllegalArgumentException.class, () -> ring.allocate(-1, NO_WAIT));
        assertEquals(0, ring.nextSlot());
    }

    @Test
    void toStringShowsKeyNumbers() {
        HeapRing ring = new HeapRing(BASE, 4 * ALIGNMENT);
        ring.allocate(ALIGNMENT, NO_WAIT);
        String s = ring.toString();
        assertTrue(s.contains("size=4096") && s.contains("inUse=1024") && s.contains("liveSlots=1")
                && s.contains("nextSlot=1"), s);
    }

    // ---- randomized model check ---------------------------------------------------------------

    /**
     * Random allocs and releases against a chunk-occupancy model of the FIFO ring. The model
     * places a slab at the newest slab's end if those chunks are free and inside the heap, else at
     * chunk 0 if free there (charging the skipped end chunks to the slab), and frees chunks only
     * when the FIFO frontier of slab-owning slots passes a slot. The ring must agree on every placement and failure.
     */
    @Test
    void randomOpsMatchFifoModel() {
        final long seed = 0x5EED_2026_0415L;
        Random rnd = new Random(seed);
        int chunks = 16;
        long heapSize = (long) chunks * ALIGNMENT;
        HeapRing ring = new HeapRing(BASE, heapSize);

        int[] owner = new int[chunks]; // slot owning each chunk (slab or wrap waste), -1 free
        java.util.Arrays.fill(owner, -1);
        ArrayDeque<int[]> pending = new ArrayDeque<>(); // {slot, released 0/1}, FIFO
        List<Allocation> live = new ArrayList<>();
        int modelTop = 0; // chunk index where the next slab goes
        int modelNext = 0;
        long peak = 0;
        int wraps = 0;
        int noRoom = 0;

        int step = 0;
        try {
            for (step = 0; step < 10_000; step++) {
                int op = rnd.nextInt(100);
                if (op < 55 || live.isEmpty()) {
                    long bytes = switch (rnd.nextInt(10)) {
                        case 0 -> 0;
                        case 1 -> heapSize + 1 + rnd.nextInt(ALIGNMENT);
                        default -> 1 + rnd.nextInt((int) heapSize / 3);
                    };
                    int need = (int) ((bytes + ALIGNMENT - 1) / ALIGNMENT);
                    if (bytes > heapSize) {
                        assertThrows(RingExhaustedException.class, () -> ring.allocate(bytes, NO_WAIT));
                        continue;
                    }
                    int at = -1;
                    int waste = 0;
                    if (need == 0) {
                        at = 0;
                    } else if (modelTop + need <= chunks && allFree(owner, modelTop, need)) {
                        at = modelTop;
                    } else if (allFree(owner, 0, need)) {
                        at = 0;
                        waste = chunks - modelTop;
                        wraps++;
                        // FIFO: the wrap may skip only free chunks (the end of the heap).
                        assertTrue(allFree(owner, modelTop, waste));
                    }
                    if (at < 0) {
                        noRoom++;
                        assertThrows(RingExhaustedException.class, () -> ring.allocate(bytes, NO_WAIT));
                        continue;
                    }
                    Allocation a = ring.allocate(bytes, NO_WAIT);
                    assertEquals(modelNext, a.slot());
                    assertEquals((long) need * ALIGNMENT, a.bytes());
                    if (need > 0) {
                        assertEquals(BASE + (long) at * ALIGNMENT, a.address());
                        for (int c = at; c < at + need; c++) {
                            owner[c] = a.slot();
                        }
                        for (int c = chunks - waste; c < chunks; c++) {
                            owner[c] = a.slot();
                        }
                        modelTop = at + need;
                    } else {
                        assertEquals(0, a.address());
                    }
                    for (Allocation other : live) {
                        assertDisjoint(a, other);
                    }
                    live.add(a);
                    if (need > 0) { // FIFO among slab owners only: a slab-less slot holds back nothing
                        pending.addLast(new int[] {a.slot(), 0});
                    }
                    modelNext++;
                } else if (op < 95) {
                    boolean batch = rnd.nextInt(4) == 0;
                    int n = batch ? 1 + rnd.nextInt(Math.min(3, live.size())) : 1;
                    int[] slots = new int[n];
                    for (int k = 0; k < n; k++) {
                        slots[k] = live.remove(rnd.nextInt(live.size())).slot();
                    }
                    if (batch) {
                        ring.release(batch(slots));
                    } else {
                        ring.release(slots[0]);
                    }
                    for (int s : slots) {
                        for (int[] p : pending) {
                            if (p[0] == s) {
                                p[1] = 1;
                            }
                        }
                    }
                    while (!pending.isEmpty() && pending.peekFirst()[1] == 1) {
                        int gone = pending.removeFirst()[0];
                        for (int c = 0; c < chunks; c++) {
                            if (owner[c] == gone) {
                                owner[c] = -1;
                            }
                        }
                    }
                    if (occupied(owner) == 0) {
                        modelTop = 0;
                    }
                } else if (op < 97) {
                    int bogus = rnd.nextBoolean() ? modelNext + rnd.nextInt(5) : -1 - rnd.nextInt(5);
                    assertThrows(IllegalArgumentException.class, () -> ring.release(bogus));
                } else if (live.isEmpty()) {
                    ring.reset();
                    modelNext = 0;
                    modelTop = 0;
                    peak = 0;
                } else {
                    assertThrows(IllegalStateException.class, ring::reset);
                }

                long inUse = (long) occupied(owner) * ALIGNMENT;
                peak = Math.max(peak, inUse);
                assertEquals(inUse, ring.bytesInUse());
                assertEquals(peak, ring.highWaterBytes());
                assertEquals(live.size(), ring.liveSlots());
                assertEquals(modelNext, ring.nextSlot());
                for (Allocation a : live) {
                    assertTrue(ring.isLive(a.slot()));
                    assertEquals(0, a.address() % ALIGNMENT);
                    assertTrue(a.bytes() == 0 || (a.address() >= BASE && a.address() + a.bytes() <= BASE + heapSize));
                }
                assertTrue(ring.checkInvariants());
            }
            // The run must have covered the interesting cases, not just easy bumps.
            assertTrue(wraps > 100 && noRoom > 100, "wraps=" + wraps + " noRoom=" + noRoom);
        } catch (AssertionError | RuntimeException e) {
            fail("randomOpsMatchFifoModel failed: seed=0x" + Long.toHexString(seed) + " step=" + step
                    + " ring=" + ring, e);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static long roundUp(long bytes) {
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void assertDisjoint(Allocation a, Allocation b) {
        if (a.bytes() == 0 || b.bytes() == 0) {
            return;
        }
        boolean disjoint = a.address() + a.bytes() <= b.address() || b.address() + b.bytes() <= a.address();
        assertTrue(disjoint, () -> a + " overlaps " + b);
    }

    private static boolean allFree(int[] owner, int from, int n) {
        for (int c = from; c < from + n; c++) {
            if (owner[c] != -1) {
                return false;
            }
        }
        return true;
    }

    private static int occupied(int[] owner) {
        int n = 0;
        for (int o : owner) {
            if (o != -1) {
                n++;
            }
        }
        return n;
    }

    /** Runs the call on its own thread (not the common pool, which has parallelism 1 here). */
    private static <T> CompletableFuture<T> inThread(Supplier<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(call.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "heap-ring-test");
        t.setDaemon(true);
        t.start();
        return result;
    }

    /** Bounded spin until the condition holds; no sleeping. */
    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for: " + what);
            }
            Thread.yield();
        }
    }

    @Test
    void liveSlotWithoutASlabDoesNotHoldBackTheHeap() {
        HeapRing ring = new HeapRing(0x40_0000_0000L, 4096);
        HeapRing.Allocation outer = ring.allocate(0, Duration.ZERO); // a task of the run's own scope
        for (int i = 0; i < 20; i++) { // 20 x 2 KiB through a 4 KiB ring, FIFO behind a live slab-less slot
            HeapRing.Allocation a = ring.allocate(2048, Duration.ZERO);
            ring.release(a.slot());
        }
        assertTrue(ring.isLive(outer.slot()));
        assertEquals(0, ring.bytesInUse());
        ring.release(outer.slot());
        assertTrue(ring.checkInvariants());
    }

    @Test
    void failedSlotsAreRememberedUntilReset() {
        HeapRing ring = new HeapRing(0x40_0000_0000L, 4096);
        int failed = ring.allocate(0, Duration.ZERO).slot();
        int ok = ring.allocate(1, Duration.ZERO).slot();
        assertTrue(ring.isLiveOrFailed(failed) && ring.isLiveOrFailed(ok), "live slots are kept by the sweep");
        assertFalse(ring.releasedFailed(failed), "not released yet");
        ReleaseBatch consumed = new ReleaseBatch();
        consumed.add(ok, false);
        consumed.add(failed, true);
        ring.release(consumed);
        assertFalse(ring.isLive(failed));
        assertTrue(ring.isLiveOrFailed(failed));
        assertTrue(ring.releasedFailed(failed));
        assertFalse(ring.isLiveOrFailed(ok), "a slot released without failing may be swept");
        assertFalse(ring.releasedFailed(ok));
        ring.reset();
        assertFalse(ring.isLiveOrFailed(failed));
        assertFalse(ring.releasedFailed(failed));
    }

    @Test
    void exhaustionIsTheRingsOwnException() {
        HeapRing ring = new HeapRing(BASE, ALIGNMENT);
        RingExhaustedException e = assertThrows(RingExhaustedException.class,
                () -> ring.allocate(ALIGNMENT + 1, NO_WAIT));
        assertTrue(e.getMessage().startsWith("allocation of 1025 bytes"), e.getMessage());
    }
}
