package dev.strata.graph;


/**
 * The orchestrator's map from a tensor's data address to the slot that last wrote it (its producer).
 * Open addressing over primitive arrays: one lookup and one insert per tagged tensor on the submit path,
 * so no boxing.
 */
public final class TensorMap {
    private static final long EMPTY = 0L; // 0 is never a tensor address ("no tensor")
    private long[] keys;
    private int[] slots;
    private int size;

    public TensorMap() {
        this(64);
    }

    /** A map sized for about {@code expected} tensors before it grows. */
    public TensorMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
        keys = new long[cap];
        slots = new int[cap];
    }

    /** The producer slot of {@code address}, or -1. */
    public int lookup(long address) {
        if (address == EMPTY) {
            return -1;
        }
        int mask = keys.length - 1;
        for (int i = mix(address) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == address) {
                return slots[i];
            }
            if (k == EMPTY) {
                return -1;
            }
        }
    }

    /** Makes {@code slot} the producer of {@code address}, overwriting any earlier producer. */
    public void insert(long address, int slot) {
        if (address == EMPTY) {
            throw new IllegalArgumentException("tensor address 0 cannot be tracked");
        }
        if ((size + 1) * 4 > keys.length * 3) {
            rehash(keys.length * 2);
        }
        int mask = keys.length - 1;
        for (int i = mix(address) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == address) {
                slots[i] = slot;
                return;
            }
            if (k == EMPTY) {
                keys[i] = address;
                slots[i] = slot;
                size++;
                return;
            }
        }
    }

    /**
     * Removes the entry of {@code address} only if it still points at {@code slot}: a consumed slot must
     * not erase the entry of a newer producer of the same buffer. The seed's erase; the runtime sweeps
     * instead ({@link #sweep}), so this is a package-private hook that lets tests drive deletions directly.
     */
    boolean eraseIfOwner(long address, int slot) {
        if (address == EMPTY) {
            return false;
        }
        int mask = keys.length - 1;
        for (int i = mix(address) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == EMPTY) {
                return false;
            }
            if (k == address) {
                if (slots[i] != slot) {
                    return false;
                }
                deleteAt(i);
                return true;
            }
        }
    }

    /** Removes every entry whose producer no longer satisfies {@code live}; returns how many were removed. */
    public int sweep(java.util.function.IntPredicate live) {
        int removed = 0;
        for (int i = 0; i < keys.length; ) {
            if (keys[i] != EMPTY && !live.test(slots[i])) {
                deleteAt(i); // backward shift may move a later key into i: look at i again
                removed++;
            } else {
                i++;
            }
        }
        return removed;
    }

    public int size() {
        return size;
    }

    // Backward-shift deletion keeps probe chains intact without tombstones.
    private void deleteAt(int hole) {
        int mask = keys.length - 1;
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            long k = keys[i];
            if (k == EMPTY) {
                break;
            }
            int home = mix(k) & mask;
            boolean movable = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i);
            if (movable) {
                keys[hole] = k;
                slots[hole] = slots[i];
                hole = i;
            }
        }
        keys[hole] = EMPTY;
        size--;
    }

    private void rehash(int cap) {
        long[] oldKeys = keys;
        int[] oldSlots = slots;
        keys = new long[cap];
        slots = new int[cap];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                insert(oldKeys[i], oldSlots[i]);
            }
        }
    }

    private static int mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return (int) x;
    }
}
