package dev.strata.cluster;

/**
 * On a worker node: an attempt of a chip task did not run to its end for a reason that is the node's, not the
 * task's — its chip entity stopped while the task ran (its shard was handed to another node, or the node is
 * leaving), or the task's input bytes did not arrive. The head takes an answer with this error as a failed attempt
 * and dispatches the task again ({@code strata.cluster.max-task-retries}), as for a node lost with the task.
 */
public final class AttemptLostException extends Exception {
    public AttemptLostException(String message) {
        super(message);
    }

    public AttemptLostException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether a node's answer names this failure (the class travels by name in {@code TaskError}). */
    static boolean named(String exceptionClass) {
        return AttemptLostException.class.getName().equals(exceptionClass);
    }
}
