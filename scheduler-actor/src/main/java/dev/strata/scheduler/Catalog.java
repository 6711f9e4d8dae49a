package dev.strata.scheduler;

import java.util.List;

/**
 * What an engine can run, fixed at {@code init()}: the registered callables and the workers of each kind.
 * The orchestrator validates every submit against it, so a bad id fails at the API edge, not in a worker.
 *
 * @param subCallables  number of registered sub callables (ids 0..n-1)
 * @param chipKernels   registered chip kernel names, index = callable id
 * @param subWorkers    number of sub workers
 * @param chipWorkers   number of chip workers
 * @param chipArgsLimit largest encoded args blob of one chip task (a PROCESS-mode mailbox's capacity), or
 *                      {@link #NO_LIMIT}
 */
record Catalog(int subCallables, List<String> chipKernels, int subWorkers, int chipWorkers,
                      int chipArgsLimit) {
    /** {@link #chipArgsLimit()} when chip args are not bounded (THREAD mode). */
    public static final int NO_LIMIT = Integer.MAX_VALUE;

    public Catalog {
        chipKernels = List.copyOf(chipKernels);
        if (chipArgsLimit < 0) {
            throw new IllegalArgumentException("chipArgsLimit must be >= 0, got " + chipArgsLimit);
        }
    }

    /** A catalog without a bound on chip args. */
    Catalog(int subCallables, List<String> chipKernels, int subWorkers, int chipWorkers) {
        this(subCallables, chipKernels, subWorkers, chipWorkers, NO_LIMIT);
    }
}
