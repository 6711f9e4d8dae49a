package dev.strata.node;

/** A run file that is missing, unreadable or not valid HOCON; the message names the file (and line). */
public final class RunFileException extends Exception {
    public RunFileException(String message) {
        super(message);
    }

    public RunFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
