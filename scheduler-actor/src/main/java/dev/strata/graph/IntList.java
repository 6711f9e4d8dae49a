package dev.strata.graph;

import java.util.Arrays;

/** A growable list of ints: slot lists without boxing. */
public final class IntList {
    private int[] items;
    private int size;

    public IntList() {
        this(8);
    }

    public IntList(int capacity) {
        items = new int[Math.max(1, capacity)];
    }

    public void add(int v) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = v;
    }

    public int get(int i) {
        if (i >= size) {
            throw new IndexOutOfBoundsException(i + " >= " + size);
        }
        return items[i];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void clear() {
        size = 0;
    }

    public int[] toArray() {
        return Arrays.copyOf(items, size);
    }

    @Override
    public String toString() {
        return Arrays.toString(toArray());
    }
}
