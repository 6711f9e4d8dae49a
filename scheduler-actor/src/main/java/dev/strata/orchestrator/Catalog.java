package dev.strata.orchestrator;

import java.util.List;

/**
 * What an engine can run, fixed at {@code init()}: the registered callables and the workers of each kind.
 * The orchestrator validates every submit against it, so a bad id fails at the API edge, not in a worker.
 *
 * @param subCallables number of registered sub callables (ids 0..n-1)
 * @param chipKernels  registered chip kernel names, index = callable id
 * @param subWorkers   number of sub workers
 * @param chipWorkers  number of chip workers
 */
public record Catalog(int subCallables, List<String> chipKernels, int subWorkers, int chipWorkers) {
    public Catalog {
        chipKernels = List.copyOf(chipKernels);
    }
}
