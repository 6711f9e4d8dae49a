package dev.strata.trace;

import dev.strata.protocol.CborSerializable;
import java.util.Objects;

/**
 * A moment on a worker's lane that is not a task, such as a cluster head's retry: the attempt of a chip task on a
 * worker node was lost (or timed out, or its results were lost) and the task was dispatched again at {@code nanos}.
 *
 * @param worker the lane's worker, as in {@link RunTrace#workers()}
 * @param nanos  when, on the trace's clock ({@code System.nanoTime()})
 * @param name   what happened, short: {@code "retry"}
 * @param detail one line for people, e.g. which node lost the attempt
 */
public record TraceMark(String worker, long nanos, String name, String detail) implements CborSerializable {
    public TraceMark {
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
    }

    /** This mark on the lane of {@code renamed}. */
    TraceMark onWorker(String renamed) {
        return new TraceMark(renamed, nanos, name, detail);
    }
}
