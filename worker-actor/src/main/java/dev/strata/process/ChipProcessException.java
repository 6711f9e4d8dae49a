package dev.strata.process;

/**
 * A task on a chip-process child failed, or the child could not be started; the message names the chip,
 * the child's pid, the kernel and what the child reported or how it ended (exit code, output tail).
 */
public final class ChipProcessException extends RuntimeException {

    /** What went wrong. */
    public enum Reason {
        /** The kernel threw in the child; the message carries the child's exception text. */
        KERNEL_FAILED,
        /** The child could not decode or route the dispatch. */
        BAD_DISPATCH,
        /** The child process ended while it ran the task. */
        CHILD_DIED,
        /** The task ran past {@code strata.worker.process.task-timeout}; the child was killed. */
        TASK_TIMEOUT,
        /** The child's heartbeat stood still past {@code heartbeat-timeout}; the child was killed. */
        HEARTBEAT_LOST,
        /** The child did not come up (exited early, or no ready handshake within the start timeout). */
        START_FAILED,
        /** The proxy was closed. */
        CLOSED
    }

    private final Reason reason;
    private final int chipIndex;
    private final int exitCode;

    ChipProcessException(Reason reason, int chipIndex, int exitCode, String message) {
        super(message);
        this.reason = reason;
        this.chipIndex = chipIndex;
        this.exitCode = exitCode;
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }

    /** The chip whose child failed. */
    public int chipIndex() {
        return chipIndex;
    }

    /** The child's exit code when it ended, else -1. */
    public int exitCode() {
        return exitCode;
    }
}
