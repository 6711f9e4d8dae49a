package dev.strata.graph;

/**
 * Live slots by id. Ids arrive in increasing order (the orchestrator hands them out monotonically), so a
 * circular array from the oldest live id suffices: O(1) without boxing, growing when the window widens.
 */
final class SlotTable {
    private SlotState[] table = new SlotState[1024];
    private int base;   // oldest id that may still be live
    private int end;    // one past the newest id added
    private int live;

    SlotState get(int slot) {
        if (slot < base || slot >= end) {
            return null;
        }
        return table[slot & (table.length - 1)];
    }

    void add(SlotState s) {
        if (s.slot < end) {
            throw new IllegalStateException("slot " + s.slot + " arrived after slot " + (end - 1)
                    + ": slot ids must increase");
        }
        if (live == 0) {
            base = s.slot; // an empty table may start anywhere: skip the ids of gaps
        }
        while (s.slot - base >= table.length) {
            grow();
        }
        end = s.slot + 1;
        table[s.slot & (table.length - 1)] = s;
        live++;
    }

    void remove(int slot) {
        int mask = table.length - 1;
        table[slot & mask] = null;
        live--;
        while (base < end && table[base & mask] == null) {
            base++;
        }
    }

    int live() {
        return live;
    }

    void clear() {
        java.util.Arrays.fill(table, null);
        base = 0;
        end = 0;
        live = 0;
    }

    private void grow() {
        SlotState[] bigger = new SlotState[table.length * 2];
        for (int id = base; id < end; id++) {
            bigger[id & (bigger.length - 1)] = table[id & (table.length - 1)];
        }
        table = bigger;
    }
}
