package dev.strata.cluster;

/**
 * No worker node was reachable for {@code strata.cluster.no-worker-timeout} while remote chip tasks waited for
 * one: those tasks fail with this rather than wait for ever. Not retried: another attempt would only wait again.
 */
public final class NoWorkerNodeException extends Exception {
    public NoWorkerNodeException(String message) {
        super(message);
    }
}
