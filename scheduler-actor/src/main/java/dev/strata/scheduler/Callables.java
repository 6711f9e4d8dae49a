package dev.strata.scheduler;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.SubCallable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Worker} has registered before {@code init()}: sub callables, chip kernels and (level 4 and above)
 * the orch fns its engines below run, each kernel and orch fn with its unique name. The one table of chip names: the orchestrator's {@link Catalog}, the chip workers and the
 * scheduler's failure reports all get their view of it from here. The id of a callable is its index. Plain and
 * not thread-safe: the worker registers under its lock, and after {@code init()} only reads.
 */
final class Callables {
    private final List<SubCallable> subs = new ArrayList<>();
    private final List<ChipKernel> kernels = new ArrayList<>();
    private final List<String> chipNames = new ArrayList<>();
    private final List<OrchFn> orchFns = new ArrayList<>();
    private final List<String> orchFnNames = new ArrayList<>();

    /** Adds a sub callable and returns its id. */
    int addSub(SubCallable fn) {
        subs.add(Objects.requireNonNull(fn, "sub callable must not be null"));
        return subs.size() - 1;
    }

    /** Adds a chip kernel under a name no other kernel has and returns its id. */
    long addChip(String name, ChipKernel kernel) {
        Objects.requireNonNull(kernel, "chip kernel must not be null");
        requireNewName(name);
        kernels.add(kernel);
        chipNames.add(name);
        return kernels.size() - 1;
    }

    /** Throws {@link IllegalArgumentException} if {@code name} is blank or already names a chip kernel. */
    void requireNewName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("chip callable name must not be blank");
        }
        if (chipNames.contains(name)) {
            throw new IllegalArgumentException("chip callable name '" + name + "' is already registered");
        }
    }

    /** Adds an orch fn for the engines of the level below under a name no other orch fn has; returns its id. */
    long addOrchFn(String name, OrchFn fn) {
        Objects.requireNonNull(fn, "orch fn must not be null");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("orch fn name must not be blank");
        }
        if (orchFnNames.contains(name)) {
            throw new IllegalArgumentException("orch fn name '" + name + "' is already registered");
        }
        orchFns.add(fn);
        orchFnNames.add(name);
        return orchFns.size() - 1;
    }

    /** The orch fns run by the engines below (level 4 and above), index = id. */
    List<OrchFn> orchFns() {
        return List.copyOf(orchFns);
    }

    /**
     * The names of what the next-level tasks run, index = callable id: the orch fns when the next-level workers are
     * engines ({@code enginesBelow}), else the chip kernels.
     */
    List<String> nextLevelNames(boolean enginesBelow) {
        return List.copyOf(enginesBelow ? orchFnNames : chipNames);
    }

    /** The sub callables, index = id. */
    List<SubCallable> subs() {
        return List.copyOf(subs);
    }

    /** The chip kernels, index = id. */
    List<ChipKernel> kernels() {
        return List.copyOf(kernels);
    }

    /** The chip kernels' names, index = id. */
    List<String> chipNames() {
        return List.copyOf(chipNames);
    }

    /**
     * What the orchestrator checks submits against, with {@code chipArgsLimit} bytes per next-level task's args;
     * {@code enginesBelow} as {@link #nextLevelNames}.
     */
    Catalog catalog(boolean enginesBelow, int subWorkers, int chipWorkers, int chipArgsLimit) {
        return new Catalog(subs.size(), nextLevelNames(enginesBelow), subWorkers, chipWorkers, chipArgsLimit);
    }
}
