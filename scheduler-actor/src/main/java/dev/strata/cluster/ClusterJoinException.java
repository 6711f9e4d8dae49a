package dev.strata.cluster;

/**
 * Thrown by {@code Worker.init()} in cluster mode when the head did not see {@code strata.cluster.min-worker-nodes}
 * worker nodes within {@code strata.cluster.join-timeout}; the message says how many it saw and which seed nodes
 * it tried.
 */
public class ClusterJoinException extends IllegalStateException {
    public ClusterJoinException(String message) {
        super(message);
    }

    public ClusterJoinException(String message, Throwable cause) {
        super(message, cause);
    }
}
