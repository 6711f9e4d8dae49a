package dev.strata.ring;

/**
 * Thrown by {@link HeapRing#allocate} when a request is larger than the whole ring, or no room appeared
 * within the caller's timeout; the message says which setting to raise. The ring's own exception, so the
 * ring depends on nothing above it: the API edge ({@code DagOrchestrator}) turns it into the user-facing
 * {@code HeapExhaustedException} with the same message.
 */
public final class RingExhaustedException extends RuntimeException {
    RingExhaustedException(String message) {
        super(message);
    }
}
