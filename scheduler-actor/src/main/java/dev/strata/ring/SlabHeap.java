package dev.strata.ring;

import java.util.function.IntPredicate;

/**
 * The byte side of a {@link HeapRing}: one region of {@code heapSize} bytes from which slabs are
 * bump-allocated at {@code top} in {@link HeapRing#ALIGNMENT}-byte units and returned in FIFO order. A slab's
 * bytes come back only when its slot and every older slab-owning slot are released, which moves {@code tail} to
 * the end of the newest reclaimed slab. When a slab does not fit between {@code top} and the end of the heap but
 * does fit before {@code tail}, it wraps to offset 0 and the skipped end space is charged to it. Plain and not
 * thread-safe: the ring calls it under its lock.
 *
 * <p>Only slab-owning slots are queued here, in slot order; slots without a slab (most tasks) never hold back
 * the heap. The queue holds at most {@code heapSize / ALIGNMENT} entries (each slab is at least one unit).
 *
 * <p>Invariants: {@code 0 <= used <= heapSize}; {@code used} = bytes from {@code tail} to {@code top} going
 * forward around the ring (slabs plus wrap waste) = the sum of the queued charges; {@code used == 0} implies
 * {@code top == tail == 0}; queued slabs are aligned, inside the heap and never overlap.
 */
final class SlabHeap {
    private final long heapBase;
    private final long heapSize;

    // Offsets from heapBase. top: where the next slab goes; tail: end of the newest reclaimed slab. used
    // disambiguates top == tail (empty vs. full).
    private long top;
    private long tail;
    private long used;
    private long highWater;

    // FIFO of slab owners, circular from head: their slot, the offset tail moves to when reclaimed (the end of
    // the slab), and the bytes they return (slab plus any wrap waste).
    private int[] slot = new int[16];
    private long[] end = new long[16];
    private long[] charge = new long[16];
    private int head;
    private int count;

    SlabHeap(long heapBase, long heapSize) {
        this.heapBase = heapBase;
        this.heapSize = heapSize;
    }

    long heapSize() {
        return heapSize;
    }

    long used() {
        return used;
    }

    long highWater() {
        return highWater;
    }

    /**
     * Offset where a slab of {@code slab} bytes goes now, or -1 if it does not fit. Bump at top; wrap to 0 only
     * when it does not fit before the end of the heap but does before tail.
     */
    long placement(long slab) {
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

    /**
     * Gives {@code owner} the slab at {@code offset} (a {@link #placement} just returned) and queues it for FIFO
     * reclamation; returns the slab's address.
     */
    long place(int owner, long offset, long slab) {
        // offset != top only when the slab wraps to 0; the skipped end space rides with it.
        long charged = offset == top ? slab : (heapSize - top) + slab;
        top = offset + slab;
        used += charged;
        highWater = Math.max(highWater, used);
        if (count == slot.length) {
            grow();
        }
        int i = (head + count++) & (slot.length - 1);
        slot[i] = owner;
        end[i] = top;
        charge[i] = charged;
        assert consistent();
        return heapBase + offset;
    }

    /**
     * Returns the bytes of every queued slab whose slot and older slab owners are released ({@code released}
     * says which slots are); true if any bytes came back.
     */
    boolean reclaim(IntPredicate released) {
        boolean freed = false;
        int m = slot.length - 1;
        while (count > 0 && released.test(slot[head])) {
            tail = end[head];
            used -= charge[head];
            head = (head + 1) & m;
            count--;
            freed = true;
        }
        if (used == 0) {
            // Restart an empty ring at 0 so the whole heap is one contiguous run again; otherwise a request near
            // heapSize could never fit and would time out on an empty ring.
            top = 0;
            tail = 0;
        }
        assert consistent();
        return freed;
    }

    /** Empties the heap and clears the high-water mark; only when no slab is queued. */
    void reset() {
        if (count > 0) {
            throw new IllegalStateException(count + " slab(s) not reclaimed, oldest of slot " + slot[head]);
        }
        top = 0;
        tail = 0;
        used = 0;
        highWater = 0;
        head = 0;
    }

    /** Checks the invariants; {@code released} must be false for the oldest queued slot. */
    boolean checkInvariants(IntPredicate released) {
        consistent();
        HeapRing.check(0 <= top && top <= heapSize && 0 <= tail && tail <= heapSize, "top/tail range");
        HeapRing.check(top % HeapRing.ALIGNMENT == 0, "top alignment");
        HeapRing.check(count == 0 || !released.test(slot[head]), "oldest slab is released but not reclaimed");
        long charged = 0;
        for (int k = 0; k < count; k++) {
            int i = (head + k) & (slot.length - 1);
            charged += charge[i];
            HeapRing.check(k == 0 || slot[i] > slot[(i - 1) & (slot.length - 1)], "slab owners out of order");
        }
        HeapRing.check(charged == used, "charges != used");
        return true;
    }

    /** Why a request larger than the whole heap can never be served. */
    String tooLargeMessage(long bytes, long pad) {
        String rounded = bytes <= heapSize && pad > 0
                ? " (" + (bytes + pad) + " after rounding up to " + HeapRing.ALIGNMENT + "-byte alignment)"
                : "";
        return "allocation of " + bytes + " bytes" + rounded + " exceeds the whole heap ring ("
                + HeapRing.SIZE_KEY + " = " + heapSize + "); raise " + HeapRing.SIZE_KEY;
    }

    @Override
    public String toString() {
        return "base=0x" + Long.toHexString(heapBase) + ", size=" + heapSize + ", top=" + top + ", tail=" + tail
                + ", inUse=" + used + ", highWater=" + highWater;
    }

    /** The O(1) invariants, cheap enough for every place and reclaim when assertions are on. */
    private boolean consistent() {
        long span = top > tail ? top - tail : top < tail ? heapSize - tail + top : (used == 0 ? 0 : heapSize);
        HeapRing.check(span == used && used <= heapSize && (used != 0 || (top == 0 && tail == 0)),
                "used != distance tail->top");
        return true;
    }

    private void grow() {
        int n = slot.length;
        int[] s = new int[n * 2];
        long[] e = new long[n * 2];
        long[] c = new long[n * 2];
        for (int k = 0; k < count; k++) {
            int i = (head + k) & (n - 1);
            s[k] = slot[i];
            e[k] = end[i];
            c[k] = charge[i];
        }
        slot = s;
        end = e;
        charge = c;
        head = 0;
    }
}
