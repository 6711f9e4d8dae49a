package dev.strata.ring;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Task slot ids and the heap ring of runtime-owned buffers (the seed's {@code DistRing}): a plain
 * allocator used under its one lock, with no threads of its own and no actor in front of it. It owns the
 * lock, the waiting (back-pressure and drain) and shutdown; the bookkeeping is in two plain parts it calls
 * under that lock: {@link SlotWindow} (slot ids, which are live, the task window, which released slots
 * failed) and {@link SlabHeap} (the bytes: bump allocation, wrap, FIFO reclamation).
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
 * <p>Two bounds make a submit wait (back-pressure, at most its timeout): heap bytes, and the task window —
 * at most {@code taskWindow} slots live at once ({@code strata.worker.task-window}), so the memory every
 * layer keeps per live task is bounded by the window, not by the run's length.
 *
 * <p>Invariants (hold whenever the lock is free; checked by {@code checkInvariants}): those of
 * {@link SlotWindow} and {@link SlabHeap}, and every slab queued in the heap belongs to a slot that is live
 * or has a live slab-owning slot before it (FIFO). Several threads may allocate at once (it stays
 * correct), but waiters are not served in order; the runtime has one allocating thread per ring.
 *
 * <p>Why this class is over 400 lines: about half is the public contract's javadoc and the package-private
 * test hooks; the code left is the lock, its two conditions and every method that takes them. Splitting the
 * waiting from the lock it waits on would spread one monitor over two classes, so the bookkeeping went to
 * {@link SlotWindow} and {@link SlabHeap} instead.
 */
public final class HeapRing {

    /** Slab size unit and address alignment of every slab, in bytes. */
    public static final int ALIGNMENT = 1024;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HeapRing.class);

    static final String SIZE_KEY = "strata.worker.heap-ring-size";
    static final String WINDOW_KEY = "strata.worker.task-window";

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a release frees heap bytes or window room; allocators under back-pressure wait here. */
    private final Condition roomFreed = lock.newCondition();
    /** Signalled when the last live slot is released; {@link #awaitDrained} waits here. */
    private final Condition drained = lock.newCondition();

    private final SlotWindow slots;
    private final SlabHeap heap;

    private long backPressureWaits;
    private int waitingAllocators;
    private boolean shutdown;

    /** As {@link #HeapRing(long, long, int)} with no practical task window (tests of the heap alone). */
    public HeapRing(long heapBase, long heapSize) {
        this(heapBase, heapSize, SlotWindow.MAX_SPAN);
    }

    /**
     * Called once when an engine starts, with the ring's pre-sized region of tensor memory.
     *
     * @param heapBase address of the first byte of the region; a non-negative multiple of {@link
     *     #ALIGNMENT} so that aligned offsets are aligned addresses
     * @param heapSize length of the region in bytes ({@code strata.worker.heap-ring-size}), at
     *     least {@link #ALIGNMENT}
     * @param taskWindow most slots live at once ({@code strata.worker.task-window}), at least 1
     * @throws IllegalArgumentException if {@code heapSize}, {@code heapBase} or {@code taskWindow} is out of
     *     range
     */
    public HeapRing(long heapBase, long heapSize, int taskWindow) {
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
        this.slots = new SlotWindow(taskWindow);
        this.heap = new SlabHeap(heapBase, heapSize);
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
     * assigns the next slot id and, when {@code bytes > 0}, a slab of the heap ring. Waits
     * (back-pressure) up to {@code timeout} while the task window is full or, for {@code bytes > 0}, the
     * heap has no room.
     *
     * @param bytes buffer size; 0 for a task that owns no runtime buffer
     * @param timeout how long to wait for room ({@code allocTimeout}); zero or negative means
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
        if (bytes > heap.heapSize() || pad > heap.heapSize() - bytes) {
            throw new RingExhaustedException(heap.tooLargeMessage(bytes, pad));
        }
        long slab = bytes + pad;
        lock.lock();
        try {
            ensureOpen();
            slots.ensureIdLeft();
            long offset = waitForRoom(bytes, slab, timeout);
            slots.ensureIdLeft(); // another allocator may have taken the last id while we waited
            int slot = slots.take();
            long address = slab == 0 ? 0 : heap.place(slot, offset, slab);
            return new Allocation(slot, address, slab);
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
        try {
            int[] bad = consumed.failed();
            for (int k = 0; k < consumed.failedCount(); k++) {
                slots.markFailed(bad[k]);
            }
            int[] released = consumed.slots();
            for (int k = 0; k < consumed.size(); k++) {
                slots.release(released[k]);
            }
        } finally {
            // Reclaim and wake waiters even when a later slot was rejected: the earlier ones did free room.
            heap.reclaim(slots::isReleased);
            if (waitingAllocators > 0) {
                roomFreed.signalAll(); // every release frees window room; waiters may want different sizes
            }
            if (slots.live() == 0) {
                drained.signalAll();
            }
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
            return slots.releasedFailed(slot);
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
            return slots.isLive(slot) || slots.releasedFailed(slot);
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
            return slots.live();
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
            return heap.used();
        } finally {
            lock.unlock();
        }
    }

    /** Called for the per-run summary: peak {@link #bytesInUse} since construction or reset. */
    public long highWaterBytes() {
        lock.lock();
        try {
            return heap.highWater();
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
            while (slots.live() > 0 && !shutdown) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = drained.awaitNanos(nanos);
            }
            return slots.live() == 0;
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
            if (slots.live() > 0) {
                throw new IllegalStateException("cannot reset the heap ring: " + slots.live()
                        + " slot(s) still live, oldest live slot " + slots.oldest());
            }
            slots.reset();
            heap.reset(); // live == 0: every slab was reclaimed
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
            return "HeapRing[" + heap + ", liveSlots=" + slots.live() + ", taskWindow=" + slots.limit()
                    + ", nextSlot=" + slots.next() + ", oldestPending=" + slots.oldest()
                    + ", backPressureWaits=" + backPressureWaits + (shutdown ? ", shut down" : "") + "]";
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
            return slots.isLive(slot);
        } finally {
            lock.unlock();
        }
    }

    /** The id the next {@link #allocate} will assign. */
    int nextSlot() {
        lock.lock();
        try {
            return slots.next();
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

    /** Threads currently blocked in {@link #allocate} waiting for room. */
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
            slots.startAt(first);
        } finally {
            lock.unlock();
        }
    }

    /** Checks the class invariants; returns true so it can sit in an {@code assert}. */
    boolean checkInvariants() {
        lock.lock();
        try {
            slots.checkInvariants();
            heap.checkInvariants(slots::isReleased);
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---- internals -----------------------------------------------------------------------------

    /**
     * Waits on {@link #roomFreed}, up to the timeout, until the task window has room and (for a slab) the
     * heap has a placement; returns that placement (0 for no slab).
     */
    private long waitForRoom(long bytes, long slab, Duration timeout) {
        long offset = roomFor(slab);
        if (offset >= 0) {
            return offset;
        }
        long nanos = toNanos(timeout);
        boolean waited = false;
        while (true) {
            if (nanos <= 0) {
                String message = slots.full() ? windowFullMessage(timeout) : heapFullMessage(bytes, timeout);
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
                throw new IllegalStateException("interrupted while waiting for heap ring room for " + bytes
                        + " bytes", e);
            } finally {
                waitingAllocators--;
            }
            ensureOpen();
            offset = roomFor(slab);
            if (offset >= 0) {
                return offset;
            }
        }
    }

    /** Where a new slot's slab goes now (0 for none), or -1 while the window is full or the slab does not fit. */
    private long roomFor(long slab) {
        if (slots.full()) {
            return -1;
        }
        return slab == 0 ? 0 : heap.placement(slab);
    }

    private void ensureOpen() {
        if (shutdown) {
            throw new IllegalStateException("heap ring is shut down");
        }
    }

    private String heapFullMessage(long bytes, Duration timeout) {
        return "heap ring full: no room for " + bytes + " bytes within " + format(timeout) + " ("
                + SIZE_KEY + " = " + heap.heapSize() + ", in use " + heap.used() + " bytes by " + slots.live()
                + " live slots); raise " + SIZE_KEY + " or free buffers sooner with narrower scopes";
    }

    private String windowFullMessage(Duration timeout) {
        return "task window full: " + slots.live() + " tasks live (submitted, not yet consumed) and none consumed"
                + " within " + format(timeout) + " (" + WINDOW_KEY + " = " + slots.limit() + "); raise "
                + WINDOW_KEY + " or let tasks be consumed sooner with narrower scopes (scopeBegin/scopeEnd)";
    }

    static void check(boolean ok, String what) {
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
