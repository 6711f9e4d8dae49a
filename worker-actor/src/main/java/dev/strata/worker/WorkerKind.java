package dev.strata.worker;

/** Which pool a task goes to: simulated chips run chip kernels, sub workers run Java sub callables. */
public enum WorkerKind {
    CHIP("chip "), SUB("sub worker ");

    private final String namePrefix;

    WorkerKind(String namePrefix) {
        this.namePrefix = namePrefix;
    }

    /** The name users see for worker {@code index} of this kind (traces, reports, failures): {@code chip 0}. */
    public String workerName(int index) {
        return namePrefix + index;
    }

    /**
     * The name of worker {@code index} of this kind in an engine whose next-level workers are engines
     * ({@code enginesBelow}, level 4 in cluster mode): {@code engine 0}; else as {@link #workerName(int)}.
     */
    public String workerName(int index, boolean enginesBelow) {
        return this == CHIP && enginesBelow ? "engine " + index : workerName(index);
    }
}
