package dev.strata.trace;

/** How a traced task member ended. */
public enum TaskStatus {
    /** It ran and returned. */
    COMPLETED,
    /** It ran and threw. */
    FAILED,
    /** It never ran because a producer failed or was skipped. */
    SKIPPED
}
