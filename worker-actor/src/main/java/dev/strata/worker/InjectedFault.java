package dev.strata.worker;

import dev.strata.protocol.CborSerializable;
import java.time.Duration;
import java.util.Objects;

/**
 * A fault a test asked for, travelling with one dispatch (see {@code dev.strata.dispatch.FaultPlan}): the worker
 * waits {@code delayMillis} where the task would run, then fails the task with {@link InjectedFaultException}
 * instead of running its callable when {@code failure} is set. The scheduler records {@code description} in the
 * run's trace, so a report shows what was injected where.
 *
 * @param failure     the injected failure's message, or null to run the callable
 * @param delayMillis how much later the task starts (or fails), 0 for at once
 * @param description what the trace says, one line
 */
public record InjectedFault(String failure, long delayMillis, String description) implements CborSerializable {
    public InjectedFault {
        if (delayMillis < 0) {
            throw new IllegalArgumentException("delay must be >= 0 ms, got " + delayMillis);
        }
        Objects.requireNonNull(description, "description");
    }

    /** The task fails with {@link InjectedFaultException} carrying {@code message}; its callable does not run. */
    public static InjectedFault fail(String message) {
        Objects.requireNonNull(message, "message");
        return new InjectedFault(message, 0, "fail: " + message);
    }

    /** The task starts {@code d} later (rounded to milliseconds); then its callable runs. */
    public static InjectedFault delay(Duration d) {
        Objects.requireNonNull(d, "delay");
        return new InjectedFault(null, d.toMillis(), "delay " + d.toMillis() + " ms");
    }

    /** Nothing happens to the task: the trace records {@code what} (a fault the test performs itself). */
    public static InjectedFault noted(String what) {
        return new InjectedFault(null, 0, Objects.requireNonNull(what, "what"));
    }
}
