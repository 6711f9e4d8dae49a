package dev.strata.ring;

import java.util.HashSet;
import java.util.Set;

/**
 * The task-slot side of a {@link HeapRing}: hands out slot ids, knows which are still live, bounds how many may
 * be live at once (the task window) and remembers which released slots failed. Plain and not thread-safe:
 * the ring calls it under its lock.
 *
 * <p>Ids are consecutive ints {@code 0, 1, 2, ...}, never reused until {@link #reset}. The span
 * {@code [oldest, next)} holds every slot not yet known released-with-all-older-ones; {@code released} is a
 * circular array over that span (slot {@code & mask} is a collision-free index because the span never exceeds
 * its length), doubling when the span fills. One byte per slot of the span: a long-lived slot at the start of a
 * run widens the span, but the slot objects of the layers above are bounded by {@code live <= limit}.
 */
final class SlotWindow {
    /** Start small: a ring rarely has more than a few hundred slots pending. Power of two. */
    private static final int INITIAL_SPAN = 64;
    /** Largest power-of-two int array length. */
    static final int MAX_SPAN = 1 << 30;

    private final int limit;
    private int next;
    private int oldest;
    private int live;
    private int mask = INITIAL_SPAN - 1;
    private boolean[] released = new boolean[INITIAL_SPAN];
    // Released slots that had failed or been skipped: a later reader of their output must be skipped, not run
    // on garbage. The only record of that fact once a slot is consumed. Few; cleared by reset().
    private final Set<Integer> failed = new HashSet<>();

    /** A window of at most {@code limit} live slots ({@code strata.worker.task-window}). */
    SlotWindow(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("task window must be >= 1, got " + limit);
        }
        this.limit = limit;
    }

    /** True when {@code limit} slots are live: {@link #take} must wait for a release. */
    boolean full() {
        return live >= limit;
    }

    int limit() {
        return limit;
    }

    int live() {
        return live;
    }

    /** The id {@link #take} will hand out next. */
    int next() {
        return next;
    }

    /** The oldest slot not known to be released (== next when none is pending). */
    int oldest() {
        return oldest;
    }

    /**
     * The next slot id, now live. The caller checks {@link #full()} first (a window is a bound the ring waits
     * on, not one this class enforces by throwing).
     *
     * @throws IllegalStateException if slot ids are exhausted or the span cannot grow
     */
    int take() {
        ensureIdLeft();
        if (next - oldest == released.length) {
            grow();
        }
        int slot = next++;
        released[slot & mask] = false;
        live++;
        return slot;
    }

    /** Remembers until {@link #reset} that {@code slot}, being released, failed or was skipped. */
    void markFailed(int slot) {
        failed.add(slot);
    }

    /**
     * Marks a live slot released.
     *
     * @throws IllegalArgumentException if the slot is not live (never handed out or already released)
     */
    void release(int slot) {
        if (slot < 0 || slot >= next) {
            throw new IllegalArgumentException(
                    "slot " + slot + " is not live: never allocated (next slot is " + next + ")");
        }
        if (slot < oldest || released[slot & mask]) {
            throw new IllegalArgumentException("slot " + slot + " is not live: already released");
        }
        released[slot & mask] = true;
        live--;
        while (oldest < next && released[oldest & mask]) {
            oldest++;
        }
    }

    boolean isLive(int slot) {
        return slot >= oldest && slot < next && !released[slot & mask];
    }

    /** True if the slot was handed out and released (this run). */
    boolean isReleased(int slot) {
        return slot >= 0 && slot < next && (slot < oldest || released[slot & mask]);
    }

    /** True if the slot was released after it failed or was skipped (this run). */
    boolean releasedFailed(int slot) {
        return failed.contains(slot);
    }

    /** Restarts ids at 0 and forgets failures; only when no slot is live. */
    void reset() {
        if (live > 0) {
            throw new IllegalStateException(live + " slot(s) still live, oldest live slot " + oldest);
        }
        next = 0;
        oldest = 0;
        failed.clear();
    }

    /** Lets tests reach the slot-id limit without 2^31 allocations; only when nothing is pending. */
    void startAt(int first) {
        if (first < 0 || oldest != next) {
            throw new IllegalStateException("startSlotsAt needs an empty ring and first >= 0");
        }
        next = first;
        oldest = first;
    }

    /**
     * Throws if no slot id is left.
     *
     * @throws IllegalStateException once {@code Integer.MAX_VALUE} ids were handed out since {@link #reset}
     */
    void ensureIdLeft() {
        if (next == Integer.MAX_VALUE) {
            throw new IllegalStateException("slot ids exhausted: reached the limit Integer.MAX_VALUE ("
                    + Integer.MAX_VALUE + "); reset() the ring at drain to restart ids at 0");
        }
    }

    /** Checks this class's invariants; returns true so it can sit in an {@code assert}. */
    boolean checkInvariants() {
        HeapRing.check(0 <= oldest && oldest <= next, "slot window");
        HeapRing.check(next - oldest <= released.length, "window exceeds arrays");
        HeapRing.check(oldest == next || !released[oldest & mask], "oldest pending slot is released");
        int unreleased = 0;
        for (int s = oldest; s < next; s++) {
            if (!released[s & mask]) {
                unreleased++;
            }
        }
        HeapRing.check(unreleased == live, "live count");
        return true;
    }

    /** Doubles the span array, re-placing each pending slot at its index under the new mask. */
    private void grow() {
        int capacity = released.length;
        if (capacity >= MAX_SPAN) {
            throw new IllegalStateException("more than " + MAX_SPAN + " slots pending reclamation "
                    + "(oldest pending slot " + oldest + " is still live)");
        }
        int newMask = capacity * 2 - 1;
        boolean[] bigger = new boolean[capacity * 2];
        for (int s = oldest; s < next; s++) {
            bigger[s & newMask] = released[s & mask];
        }
        released = bigger;
        mask = newMask;
    }
}
