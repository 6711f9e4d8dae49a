package dev.strata.check;

/**
 * A task's callable wrote a tensor it declared INPUT ({@code strata.check.tags = on}): the message names the
 * callable, each such tensor's position in the args, its address and size. The task fails with it.
 */
public final class TagViolationException extends RuntimeException {
    public TagViolationException(String message) {
        super(message);
    }
}
