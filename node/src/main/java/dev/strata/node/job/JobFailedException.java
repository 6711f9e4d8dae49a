package dev.strata.node.job;

/** A job ran to the end but its result is wrong (for example a residual above the accepted bound). */
public final class JobFailedException extends RuntimeException {
    public JobFailedException(String message) {
        super(message);
    }
}
