package dev.strata.worker;

/** Which pool a task goes to: simulated chips run chip kernels, sub workers run Java sub callables. */
public enum WorkerKind {
    CHIP, SUB
}
