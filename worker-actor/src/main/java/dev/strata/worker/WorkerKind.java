package dev.strata.worker;

/** Which pool a task goes to: simulated chips run chip kernels, sub workers run Java sub callables. */
public enum WorkerKind {
    CHIP("chip "), SUB("sub worker ");

    private final String namePrefix;

    WorkerKind(String namePrefix) {
        this.namePrefix = namePrefix;
    }

    /**
     * The first engine level whose next-level workers (kind {@link #CHIP}) are engines — level-3 engines on worker
     * nodes (API.md, "Level 4") — rather than chips.
     */
    public static final int FIRST_ENGINE_LEVEL = 4;

    /** The name users see for worker {@code index} of this kind (traces, reports, failures): {@code chip 0}. */
    public String workerName(int index) {
        return namePrefix + index;
    }

    /**
     * The name of worker {@code index} of this kind in a level-{@code level} engine: a next-level worker of level 4
     * and above is an engine ({@code engine 0}), else as {@link #workerName(int)}.
     */
    public String workerName(int index, int level) {
        return this == CHIP && level >= FIRST_ENGINE_LEVEL ? "engine " + index : workerName(index);
    }
}
