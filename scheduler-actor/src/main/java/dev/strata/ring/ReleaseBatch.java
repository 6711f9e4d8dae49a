package dev.strata.ring;

import java.util.Arrays;

/**
 * Consumed slots waiting to go back to the {@link HeapRing} in one lock acquisition, with the ones that
 * failed or were skipped marked. A reusable buffer with one owner (the scheduler): it collects while it
 * handles one message and hands the batch to {@link HeapRing#release(ReleaseBatch)}, which empties it.
 * Not thread-safe.
 */
public final class ReleaseBatch {
    private int[] slots = new int[256];
    private int count;
    private int[] failed = new int[4];
    private int failedCount;

    /** Adds a consumed slot; {@code failedOrSkipped} when the ring must remember it for the run. */
    public void add(int slot, boolean failedOrSkipped) {
        if (count == slots.length) {
            slots = Arrays.copyOf(slots, count * 2);
        }
        slots[count++] = slot;
        if (failedOrSkipped) {
            if (failedCount == failed.length) {
                failed = Arrays.copyOf(failed, failedCount * 2);
            }
            failed[failedCount++] = slot;
        }
    }

    /** True when no slot waits to be released. */
    public boolean isEmpty() {
        return count == 0;
    }

    /** True when a slot waiting to be released failed or was skipped. */
    public boolean hasFailed() {
        return failedCount > 0;
    }

    /** How many slots wait to be released. */
    public int size() {
        return count;
    }

    /** Forgets every slot (the ring calls it once it took the batch); keeps the buffers. */
    public void clear() {
        count = 0;
        failedCount = 0;
    }

    // Read by the ring under its lock; the arrays are only valid up to the counts.
    int[] slots() {
        return slots;
    }

    int[] failed() {
        return failed;
    }

    int failedCount() {
        return failedCount;
    }
}
