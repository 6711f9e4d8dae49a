package dev.strata.scheduler;

/**
 * Thrown by submit or alloc when the heap ring had no room, or the task window ({@code strata.worker.task-window})
 * no free slot, for {@code allocTimeout} (or when a single request is larger than the whole ring); the message says
 * which setting to raise.
 */
public class HeapExhaustedException extends RuntimeException {
    public HeapExhaustedException(String message) {
        super(message);
    }

    /** The API's form of a lower layer's exhaustion (the ring's), keeping it as the cause. */
    public HeapExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
