package dev.strata.graph;

/**
 * A set of slot ids that is emptied in O(1): the orchestrator's per-submit de-duplication of producers. Open
 * addressing over an int array whose entries count only when their stamp equals the current epoch, so
 * {@link #clear} is one increment, not a pass over the table, and {@link #add} is O(1) expected however many
 * tensors a task names (a 200,000-tensor join costs 200,000 probes, not 200,000² / 2 comparisons).
 * Not thread-safe; no boxing.
 */
public final class SlotSet {
    private int[] keys;
    private int[] stamps;
    private int epoch = 1;
    private int size;
    private long probes;

    public SlotSet() {
        keys = new int[16];
        stamps = new int[16];
    }

    /** Adds {@code slot}; true if it was not in the set. */
    public boolean add(int slot) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        for (int i = mix(slot) & mask; ; i = (i + 1) & mask) {
            probes++;
            if (stamps[i] != epoch) {
                keys[i] = slot;
                stamps[i] = epoch;
                size++;
                return true;
            }
            if (keys[i] == slot) {
                return false;
            }
        }
    }

    /** Empties the set in O(1): entries of older epochs no longer count. */
    public void clear() {
        size = 0;
        if (++epoch == 0) { // after 2^32 clears, stale stamps could match again: wipe them once
            java.util.Arrays.fill(stamps, 0);
            epoch = 1;
        }
    }

    public int size() {
        return size;
    }

    /** Table slots looked at since construction: lets tests check that adds stay O(1). */
    long probes() {
        return probes;
    }

    private void grow() {
        int[] oldKeys = keys;
        int[] oldStamps = stamps;
        int live = epoch;
        keys = new int[oldKeys.length * 2];
        stamps = new int[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldStamps[i] == live) {
                add(oldKeys[i]);
            }
        }
    }

    private static int mix(int x) {
        x *= 0x9E3779B9;
        return x ^ (x >>> 16);
    }
}
