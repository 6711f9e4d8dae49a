package dev.strata.graph;

/** Lifecycle of a slot, as in the seed: FREE → PENDING/READY → RUNNING → COMPLETED → CONSUMED → FREE. */
public enum TaskState {
    PENDING, READY, RUNNING, COMPLETED, CONSUMED
}
