package dev.strata.cluster;

/**
 * A remote chip task whose worker node left the cluster (crashed and was downed, or was removed) before it
 * answered: the attempt is lost and may be dispatched again. Its message names the node.
 */
public final class NodeLostException extends Exception {
    private final String node;

    /** The node ({@code pekko://strata@host:port}) lost with the task, and what happened. */
    public NodeLostException(String node, String message) {
        super(message);
        this.node = node;
    }

    /** The lost node's address, {@code pekko://strata@host:port}. */
    public String node() {
        return node;
    }
}
