package dev.strata.process;

/**
 * The busy phase of a mailbox wait: spin (a hand-over in flight lands within microseconds), then yield (on
 * a small machine the other side may need this very core), and then tell the caller to block on its
 * {@link Doorbell}. No fixed sleep anywhere: a fast answer is seen at once, a slow one costs no CPU.
 * Not thread-safe: one waiter per instance.
 */
final class Backoff {
    private final long spinNanos;
    private final long busyNanos;
    private long startedAt;

    /**
     * @param spinNanos  how long to spin on {@link Thread#onSpinWait()} after {@link #start}
     * @param yieldNanos how long to yield after that, before the caller blocks
     */
    Backoff(long spinNanos, long yieldNanos) {
        this.spinNanos = spinNanos;
        this.busyNanos = spinNanos + yieldNanos;
    }

    /** Begins a wait that started at {@code now} (a {@link System#nanoTime()} reading). */
    void start(long now) {
        startedAt = now;
    }

    /**
     * Waits one busy step — a spin hint or a yield — and returns true; returns false without waiting once
     * the busy phase is over and the caller should block instead.
     */
    boolean idle() {
        long waited = System.nanoTime() - startedAt;
        if (waited < spinNanos) {
            Thread.onSpinWait();
            return true;
        }
        if (waited < busyNanos) {
            Thread.yield();
            return true;
        }
        return false;
    }
}
