package dev.strata.dispatch;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The orchestrator's commands ({@code Submit}, {@code AllocSlot}, {@code ScopeEnd}) on their way to the
 * scheduler, in the order they were sent, without a Pekko message each. The sender appends and tells the
 * scheduler {@link SchedulerActor.Drain} only when no drain is due yet; the scheduler takes everything queued
 * in one message. So while the scheduler is busy (behind the user thread, or handling completions) a burst
 * of submits costs one message and at most one thread wake-up, and into an idle engine a submit still wakes
 * it at once, as a plain tell would.
 *
 * <p>The protocol ({@link #offer} on the sending side, {@link #poll} and {@link #drained} on the scheduler's):
 * while a drain is due, a {@code Drain} is in the scheduler's mailbox or being handled, and that handler
 * clears the flag only after it emptied the queue, then looks once more. A command is therefore always
 * either taken by a drain already under way or followed by a {@code Drain} of its own, and never waits for
 * an unrelated message. In-JVM only: the scheduler and the orchestrator of its engine share this object.
 */
public final class SchedulerInbox {
    private final ConcurrentLinkedQueue<SchedulerActor.Command> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainDue = new AtomicBoolean();

    /** Appends {@code c}; true when the caller must tell the scheduler {@link SchedulerActor.Drain}. Any thread. */
    public boolean offer(SchedulerActor.Command c) {
        queue.add(c);
        return !drainDue.get() && drainDue.compareAndSet(false, true);
    }

    /** The next command, or null when the queue is empty. The scheduler only. */
    SchedulerActor.Command poll() {
        return queue.poll();
    }

    /**
     * The scheduler emptied the queue: clears the due flag, then true if a command slipped in meanwhile and
     * no sender took the flag for it, so the scheduler must send itself another {@code Drain}.
     */
    boolean drained() {
        drainDue.set(false);
        return !queue.isEmpty() && drainDue.compareAndSet(false, true);
    }

    /** True when no command waits. */
    boolean isEmpty() {
        return queue.isEmpty();
    }
}
