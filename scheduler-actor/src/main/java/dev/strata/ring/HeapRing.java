package dev.strata.ring;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Task slot ids and the heap ring of runtime-owned buffers (the seed's {@code DistRing}): a plain
 * allocator used under its one lock, with no threads of its own and no actor in front of it.
 *
 * <p>The orchestrator (user thread) calls {@link #allocate} for every submitted task or
 * {@code alloc}; the scheduler actor, the only releaser, hands over the slots it consumed while
 * handling a message with {@link #tryRelease} (or {@link #release(ReleaseBatch)} when it must wait
 * for the lock); the user thread waits in {@link #awaitDrained} at the end of a run and then calls
 * {@link #reset}.
 *
 * <p>The ring is also the one owner of "this consumed slot failed or was skipped": the scheduler
 * says so in the batch that releases it, and the orchestrator ({@link #isLiveOrFailed}, for its
 * tensor-map sweep) and the task graph ({@link #releasedFailed}, for a late reader of a consumed
 * producer) ask. Forgotten at {@link #reset}.
 *
 * <p>Slot ids are monotonic ints ({@code 0, 1, 2, ...}) that are never reused until {@link
 * #reset}. The heap is one region of {@code heapSize} bytes; slabs are bump-allocated at {@code
 * top} in {@link #ALIGNMENT}-byte units and returned in FIFO order: a slot's bytes come back only
 * when it and every older slot are released, which moves {@code tail} to the end of the newest
 * reclaimed slab. When a slab does not fit between {@code top} and the end of the heap but does
 * fit before {@code tail}, it wraps to offset 0 and the skipped end space is charged to it.
 *
 * <p>Invariants (hold whenever the lock is free; checked by {@code checkInvariants}):
 *
 * <ul>
 *   <li>{@code 0 <= oldestPending <= nextSlot}; every slot below {@code oldestPending} is released
 *       and its bytes reclaimed; slot {@code oldestPending}, if {@code < nextSlot}, is live.
 *   <li>{@code live} = number of unreleased slots in {@code [oldestPending, nextSlot)}.
 *   <li>{@code 0 <= used <= heapSize}, {@code used} = bytes from {@code tail} to {@code top} going
 *       forward around the ring (slabs plus wrap waste); {@code used == 0} implies {@code top ==
 *       tail == 0}.
 *   <li>live slabs are {@link #ALIGNMENT}-aligned, inside the heap, and never overlap.
 * </ul>
 *
 * <p>Several threads may allocate at once (it stays correct), but waiters are not served in
 * order; the runtime has one allocating thread per ring.
 */
public final class HeapRing {

    /** Slab size unit and address alignment of every slab, in bytes. */
    public static final int ALIGNMENT = 1024;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HeapRing.class);

    private static final String SIZE_KEY = "strata.worker.heap-ring-size";
    /** Start small: a ring rarely has more than a few hundred slots pending. Power of two. */
    private static final int INITIAL_WINDOW = 64;
    /** Largest power-of-two int array length. */
    private static final int MAX_WINDOW = 1 << 30;

    private final long heapBase;
    private final long heapSize;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when reclamation returns heap bytes; allocators under back-pressure wait here. */
    private final Condition roomFreed = lock.newCondition();
    /** Signalled when the last live slot is released; {@link #awaitDrained} waits here. */
    private final Condition drained = lock.newCondition();

    // Heap ring, as offsets from heapBase. top: where the next slab goes; tail: end of the newest
    // reclaimed slab. used disambiguates top == tail (empty vs. full).
    private long top;
    private long tail;
    private long used;
    private long highWater;

    // Slot window [oldestPending, nextSlot): every slot not yet reclaimed, released or not. Ids are
    // consecutive and the window never exceeds the array length, so slot & mask is a collision-free
    // index; the arrays double when the window fills (amortised O(1), no boxing per slot).
    private int nextSlot;
    private int oldestPending;
    // The oldest slot that may still hold heap bytes: slabs come back FIFO among slab-owning slots only,
    // so a live slot without a slab (most tasks) never holds back the heap. oldestPending <= heapFrontier.
    private int heapFrontier;
    private int live;
    // Released slots that had failed or been skipped: a later reader of their output must be skipped, not
    // run on garbage. This ring is the only record of that fact once a slot is consumed. Few; cleared by reset().
    private final java.util.Set<Integer> failed = new java.util.HashSet<>();
    private int mask = INITIAL_WINDOW - 1;
    /** Offset tail moves to when the slot is reclaimed (the end of its slab). */
    private long[] slabEnd = new long[INITIAL_WINDOW];
    /** Bytes the slot returns to the ring when reclaimed: its slab plus any wrap waste; 0 if none. */
    private long[] slabCharge = new long[INITIAL_WINDOW];
    private boolean[] released = new boolean[INITIAL_WINDOW];

    private long backPressureWaits;
    private int waitingAllocators;
    private boolean shutdown;

    /**
     * Called once when an engine starts, with the ring's pre-sized region of tensor memory.
     *
     * @param heapBase address of the first byte of the region; a non-negative multiple of {@link
     *     #ALIGNMENT} so that aligned offsets are aligned addresses
     * @param heapSize length of the region in bytes ({@code strata.worker.heap-ring-size}), at
     *     least {@link #ALIGNMENT}
     * @throws IllegalArgumentException if {@code heapSize} or {@code heapBase} is out of range
     */
    public HeapRing(long heapBase, long heapSize) {
        if (heapSize < ALIGNMENT) {
            throw new IllegalArgumentException(
                    "heapSize (" + SIZE_KEY + ") must be at least " + ALIGNMENT + " bytes, got " + heapSize);
        }
        if (heapBase < 0 || heapBase % ALIGNMENT != 0) {
            throw new IllegalArgumentException(
                    "heapBase must be a non-negative multiple of " + ALIGNMENT + ", got " + heapBase);
        }
        if (heapBase > Long.MAX_VALUE - heapSize) {
            throw new IllegalArgumentException(
                    "heapBase + heapSize overflows a long: " + heapBase + " + " + heapSize);
        }
        this.heapBase = heapBase;
        this.heapSize = heapSize;
    }

    /**
     * What {@link #allocate} hands out; the orchestrator records it in the slot's task data.
     *
     * @param slot the slot id
     * @param address address of the first byte of the slab, or 0 when {@code bytes == 0}
     * @param bytes length of the slab: the requested size rounded up to {@link #ALIGNMENT}
     */
    public record Allocation(int slot, long address, long bytes) {}

    /**
     * Called by the orchestrator (user thread) for each submitted task and each {@code alloc}:
     * assigns the next slot id and, when {@code bytes > 0}, a slab of the heap ring. Waits for
     * room (back-pressure) up to {@code timeout} when the ring is full; zero-byte requests never
     * wait.
     *
     * @param bytes buffer size; 0 for a task that owns no runtime buffer
     * @param timeout how long to wait for heap room ({@code allocTimeout}); zero or negative means
     *     do not wait
     * @return the slot id and, if {@code bytes > 0}, the slab's address and rounded length
     * @throws IllegalArgumentException if {@code bytes < 0}
     * @throws RingExhaustedException if the request is larger than the whole heap (at once) or no
     *     room appeared within {@code timeout}
     * @throws IllegalStateException if the ring is shut down (also while waiting), slot ids are
     *     exhausted, or the thread was interrupted while waiting (the interrupt flag is kept)
     */
    public Allocation allocate(long bytes, Duration timeout) {
        if (bytes < 0) {
            throw new IllegalArgumentException("allocation size must be >= 0, got " + bytes);
        }
        Objects.requireNonNull(timeout, "timeout");
        // Round without overflow: pad fits only if bytes + pad <= heapSize.
        long pad = -bytes & (ALIGNMENT - 1);
        if (bytes > heapSize || pad > heapSize - bytes) {
            throw new RingExhaustedException(tooLargeMessage(bytes, pad));
        }
        long slab = bytes + pad;
        lock.lock();
        try {
            ensureOpen();
            ensureSlotIdLeft();
            long offset = slab == 0 ? 0 : waitForRoom(bytes, slab, timeout);
            ensureSlotIdLeft(); // another allocator may have taken the last id while we waited
            if (nextSlot - oldestPending == released.length) {
                growWindow();
            }
            long charge = 0;
            if (slab > 0) {
                // offset != top only when the slab wraps to 0; the skipped end space rides with it.
                charge = offset == top ? slab : (heapSize - top) + slab;
                top = offset + slab;
                used += charge;
                highWater = Math.max(highWater, used);
            }
            int slot = nextSlot++;
            int i = slot & mask;
            released[i] = false;
            slabEnd[i] = top;
            slabCharge[i] = charge;
            live++;
            assert heapConsistent();
            return new Allocation(slot, slab == 0 ? 0 : heapBase + offset, slab);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the scheduler with the slots it consumed while handling one message, under one lock
     * acquisition: records the failed ones and releases each, so no other thread ever sees a failed
     * slot that is neither live nor recorded as failed. A slot's heap bytes return once it
     * and every older slab-owning slot are released (FIFO); wakes allocators waiting for room and
     * threads waiting for drain. Empties {@code consumed}, also when it throws.
     *
     * @param consumed the consumed slots, each allocated and not yet released
     * @throws IllegalArgumentException if a slot is not live (never allocated or already released);
     *     the slots before it in the batch stay released
     */
    public void release(ReleaseBatch consumed) {
        lock.lock();
        releaseLocked(consumed);
    }

    /**
     * As {@link #release(ReleaseBatch)} if the lock is free right now; otherwise returns false at once
     * and leaves the batch untouched. Lets the scheduler release without ever parking behind the user
     * thread, which may hold the lock while it is descheduled on a busy machine.
     *
     * @return true if the batch was released (and emptied)
     */
    public boolean tryRelease(ReleaseBatch consumed) {
        if (!lock.tryLock()) {
            return false;
        }
        releaseLocked(consumed);
        return true;
    }

    /** The body of both releases; called with the lock held, returns with it released. */
    private void releaseLocked(ReleaseBatch consumed) {
        boolean freed = false;
        try {
            int[] bad = consumed.failed();
            for (int k = 0; k < consumed.failedCount(); k++) {
                failed.add(bad[k]);
            }
            int[] slots = consumed.slots();
            for (int k = 0; k < consumed.size(); k++) {
                freed |= releaseLocked(slots[k]);
            }
        } finally {
            // Wake waiters even when a later slot was rejected: the earlier ones did free room.
            wakeWaiters(freed);
            lock.unlock();
            consumed.clear();
        }
    }

    /**
     * Called by the task graph when a submit names a producer it no longer tracks: true if that slot
     * was released (consumed) this run after failing or being skipped, so the reader must be skipped.
     */
    public boolean releasedFailed(int slot) {
        lock.lock();
        try {
            return failed.contains(slot);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the orchestrator when it sweeps its tensor map: an entry may go only when its slot is
     * neither live nor failed, so a reader of a failed task's output still finds (and skips on) it.
     */
    public boolean isLiveOrFailed(int slot) {
        lock.lock();
        try {
            return isLiveLocked(slot) || failed.contains(slot);
        } finally {
            lock.unlock();
        }
    }

    /** True once {@link #shutdown()} was called (the engine stopped, or failed). */
    public boolean isShutdown() {
        lock.lock();
        try {
            return shutdown;
        } finally {
            lock.unlock();
        }
    }

    /** Called for run summaries and drain checks: slots allocated and not yet released. */
    public int liveSlots() {
        lock.lock();
        try {
            return live;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called for run summaries and error messages: bytes between tail and top, i.e. slabs not yet
     * reclaimed plus wrap waste.
     */
    public long bytesInUse() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /** Called for the per-run summary: peak {@link #bytesInUse} since construction or reset. */
    public long highWaterBytes() {
        lock.lock();
        try {
            return highWater;
        } finally {
            lock.unlock();
        }
    }

    /** Called for the per-run summary: how many {@link #allocate} calls had to wait for room. */
    public long backPressureWaits() {
        lock.lock();
        try {
            return backPressureWaits;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the user thread at the end of a run: waits until every allocated slot is
     * released. Returns at once if none is live; {@link #shutdown} wakes it.
     *
     * @param timeout how long to wait; zero or negative checks once
     * @return true if no slot is live, false if the timeout passed first (or the ring was shut
     *     down with slots still live)
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long nanos = toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (live > 0 && !shutdown) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = drained.awaitNanos(nanos);
            }
            return live == 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the user thread after drain, before the next run: empties the heap ring, restarts
     * slot ids at 0 and clears the high-water mark, so a run's memory is bounded by its own peak.
     *
     * @throws IllegalStateException if any slot is still live
     */
    public void reset() {
        lock.lock();
        try {
            if (live > 0) {
                throw new IllegalStateException("cannot reset the heap ring: " + live
                        + " slot(s) still live, oldest live slot " + oldestPending);
            }
            // live == 0 means the frontier has passed every slot, so the window is empty.
            assert oldestPending == nextSlot && used == 0;
            nextSlot = 0;
            oldestPending = 0;
            heapFrontier = 0;
            failed.clear();
            top = 0;
            tail = 0;
            used = 0;
            highWater = 0;
            assert checkInvariants();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called when the engine stops: wakes every waiter; waiting and later {@link #allocate} calls
     * throw {@link IllegalStateException}, {@link #awaitDrained} returns. Idempotent.
     */
    public void shutdown() {
        lock.lock();
        try {
            shutdown = true;
            roomFreed.signalAll();
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Called for logs and debugging: the key numbers of the ring. */
    @Override
    public String toString() {
        lock.lock();
        try {
            return "HeapRing[base=0x" + Long.toHexString(heapBase) + ", size=" + heapSize
                    + ", top=" + top + ", tail=" + tail + ", inUse=" + used
                    + ", highWater=" + highWater + ", liveSlots=" + live
                    + ", nextSlot=" + nextSlot + ", oldestPending=" + oldestPending
                    + ", backPressureWaits=" + backPressureWaits
                    + (shutdown ? ", shut down" : "") + "]";
        } finally {
            lock.unlock();
        }
    }

    // ---- package-private hooks for tests -------------------------------------------------------

    /** Releases one slot, as a batch of one that did not fail. */
    void release(int slot) {
        ReleaseBatch one = new ReleaseBatch();
        one.add(slot, false);
        release(one);
    }

    /** True if the slot was allocated and not yet released. */
    boolean isLive(int slot) {
        lock.lock();
        try {
            return isLiveLocked(slot);
        } finally {
            lock.unlock();
        }
    }

    /** The id the next {@link #allocate} will assign. */
    int nextSlot() {
        lock.lock();
        try {
            return nextSlot;
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code body} holding the ring's lock, so tests can make {@link #tryRelease} meet a busy lock. */
    void holdingLock(Runnable body) {
        lock.lock();
        try {
            body.run();
        } finally {
            lock.unlock();
        }
    }

    /** Threads currently blocked in {@link #allocate} waiting for heap room. */
    int waitingAllocators() {
        lock.lock();
        try {
            return waitingAllocators;
        } finally {
            lock.unlock();
        }
    }

    /** True while a thread is blocked in {@link #awaitDrained}. */
    boolean hasDrainWaiters() {
        lock.lock();
        try {
            return lock.hasWaiters(drained);
        } finally {
            lock.unlock();
        }
    }

    /** Lets tests reach the slot-id limit without 2^31 allocations; only when nothing is pending. */
    void startSlotsAt(int first) {
        lock.lock();
        try {
            if (first < 0 || oldestPending != nextSlot) {
                throw new IllegalStateException("startSlotsAt needs an empty ring and first >= 0");
            }
            nextSlot = first;
            oldestPending = first;
            heapFrontier = first;
        } finally {
            lock.unlock();
        }
    }

    /** Checks the class invariants; returns true so it can sit in an {@code assert}. */
    boolean checkInvariants() {
        lock.lock();
        try {
            check(0 <= oldestPending && oldestPending <= heapFrontier && heapFrontier <= nextSlot, "slot window");
            check(nextSlot - oldestPending <= released.length, "window exceeds arrays");
            check(oldestPending == nextSlot || !released[oldestPending & mask], "frontier is released");
            check(0 <= used && used <= heapSize, "used out of range");
            check(used != 0 || (top == 0 && tail == 0), "empty ring not at 0");
            check(0 <= top && top <= heapSize && 0 <= tail && tail <= heapSize, "top/tail range");
            check(top % ALIGNMENT == 0, "top alignment");
            long span = top > tail ? top - tail : top < tail ? heapSize - tail + top : (used == 0 ? 0 : heapSize);
            check(span == used, "used != distance tail->top");
            int unreleased = 0;
            long charged = 0;
            for (int s = oldestPending; s < nextSlot; s++) {
                int i = s & mask;
                if (!released[i]) {
                    unreleased++;
                }
                charged += slabCharge[i];
            }
            check(unreleased == live, "live count");
            check(charged == used, "charges != used");
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---- internals -----------------------------------------------------------------------------

    private boolean isLiveLocked(int slot) {
        return slot >= oldestPending && slot < nextSlot && !released[slot & mask];
    }

    /** Marks one slot released and advances the FIFO frontier; true if heap bytes came back. */
    private boolean releaseLocked(int slot) {
        if (slot < 0 || slot >= nextSlot) {
            throw new IllegalArgumentException(
                    "slot " + slot + " is not live: never allocated (next slot is " + nextSlot + ")");
        }
        int i = slot & mask;
        if (slot < oldestPending || released[i]) {
            throw new IllegalArgumentException("slot " + slot + " is not live: already released");
        }
        released[i] = true;
        live--;
        boolean freed = false;
        // FIFO among slab owners: stop at the oldest slab that is still live; slab-less slots never block.
        while (heapFrontier < nextSlot) {
            int j = heapFrontier & mask;
            if (slabCharge[j] > 0) {
                if (!released[j]) {
                    break;
                }
                tail = slabEnd[j];
                used -= slabCharge[j];
                slabCharge[j] = 0;
                freed = true;
            }
            heapFrontier++;
        }
        // The slot window only shrinks past released slots.
        while (oldestPending < nextSlot && released[oldestPending & mask]) {
            oldestPending++;
        }
        if (used == 0) {
            // Restart an empty ring at 0 so the whole heap is one contiguous run again; otherwise
            // a request near heapSize could never fit and would time out on an empty ring.
            top = 0;
            tail = 0;
        }
        assert heapConsistent();
        return freed;
    }

    private void wakeWaiters(boolean freed) {
        if (freed && waitingAllocators > 0) {
            roomFreed.signalAll(); // waiters may want different sizes, so wake them all
        }
        if (live == 0) {
            drained.signalAll();
        }
    }

    /**
     * Offset where a slab of {@code slab} bytes goes now, or -1 if it does not fit. Bump at top;
     * wrap to 0 only when it does not fit before the end of the heap but does before tail.
     */
    private long placement(long slab) {
        if (used == 0) {
            return 0;
        }
        if (top > tail) { // free: [top, heapSize) and [0, tail)
            if (heapSize - top >= slab) {
                return top;
            }
            return tail >= slab ? 0 : -1;
        }
        if (top < tail) { // wrapped; free: [top, tail)
            return tail - top >= slab ? top : -1;
        }
        return -1; // top == tail with bytes in use: full
    }

    /** Returns a placement for the slab, waiting on {@link #roomFreed} up to the timeout. */
    private long waitForRoom(long bytes, long slab, Duration timeout) {
        long offset = placement(slab);
        if (offset >= 0) {
            return offset;
        }
        long nanos = toNanos(timeout);
        boolean waited = false;
        while (true) {
            if (nanos <= 0) {
                String message = fullMessage(bytes, timeout);
                // Logged here, where it happens: the orch fn may catch or wrap the exception.
                LOG.warn("back-pressure timeout: {}", message);
                throw new RingExhaustedException(message);
            }
            if (!waited) {
                waited = true;
                backPressureWaits++;
            }
            waitingAllocators++;
            try {
                nanos = roomFreed.awaitNanos(nanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                        "interrupted while waiting for heap ring room for " + bytes + " bytes", e);
            } finally {
                waitingAllocators--;
            }
            ensureOpen();
            offset = placement(slab);
            if (offset >= 0) {
                return offset;
            }
        }
    }

    /** Doubles the slot arrays, re-placing each pending slot at its index under the new mask. */
    private void growWindow() {
        int capacity = released.length;
        if (capacity >= MAX_WINDOW) {
            throw new IllegalStateException("more than " + MAX_WINDOW + " slots pending reclamation "
                    + "(oldest pending slot " + oldestPending + " is still live)");
        }
        int newCapacity = capacity * 2;
        int newMask = newCapacity - 1;
        long[] newEnd = new long[newCapacity];
        long[] newCharge = new long[newCapacity];
        boolean[] newReleased = new boolean[newCapacity];
        for (int s = oldestPending; s < nextSlot; s++) {
            int from = s & mask;
            int to = s & newMask;
            newEnd[to] = slabEnd[from];
            newCharge[to] = slabCharge[from];
            newReleased[to] = released[from];
        }
        slabEnd = newEnd;
        slabCharge = newCharge;
        released = newReleased;
        mask = newMask;
    }

    private void ensureOpen() {
        if (shutdown) {
            throw new IllegalStateException("heap ring is shut down");
        }
    }

    private void ensureSlotIdLeft() {
        if (nextSlot == Integer.MAX_VALUE) {
            throw new IllegalStateException("slot ids exhausted: reached the limit Integer.MAX_VALUE ("
                    + Integer.MAX_VALUE + "); reset() the ring at drain to restart ids at 0");
        }
    }

    private String tooLargeMessage(long bytes, long pad) {
        String rounded = bytes <= heapSize && pad > 0
                ? " (" + (bytes + pad) + " after rounding up to " + ALIGNMENT + "-byte alignment)"
                : "";
        return "allocation of " + bytes + " bytes" + rounded + " exceeds the whole heap ring ("
                + SIZE_KEY + " = " + heapSize + "); raise " + SIZE_KEY;
    }

    private String fullMessage(long bytes, Duration timeout) {
        return "heap ring full: no room for " + bytes + " bytes within " + format(timeout) + " ("
                + SIZE_KEY + " = " + heapSize + ", in use " + used + " bytes by " + live
                + " live slots); raise " + SIZE_KEY + " or free buffers sooner with narrower scopes";
    }

    /**
     * O(1) part of {@link #checkInvariants}, cheap enough for every allocate and release when
     * assertions are on (the full check walks the slot window and is for tests).
     */
    private boolean heapConsistent() {
        long span = top > tail ? top - tail : top < tail ? heapSize - tail + top : (used == 0 ? 0 : heapSize);
        check(span == used && used <= heapSize && (used != 0 || (top == 0 && tail == 0)),
                "used != distance tail->top");
        return true;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("HeapRing invariant broken: " + what);
        }
    }

    /** Saturating conversion: a huge timeout means "wait as long as it takes". */
    private static long toNanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return timeout.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static String format(Duration d) {
        long nanos = toNanos(d);
        if (nanos <= 0) {
            return "0 ms";
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + " s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + " ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + " \u00b5s";
        }
        return nanos + " ns";
    }
}
