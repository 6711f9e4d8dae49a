package dev.strata.scheduler;

/**
 * Thrown by submit or alloc when the heap ring had no room for {@code allocTimeout} (or when a single
 * request is larger than the whole ring); the message says which size to raise.
 */
public class HeapExhaustedException extends RuntimeException {
    public HeapExhaustedException(String message) {
        super(message);
    }
}
