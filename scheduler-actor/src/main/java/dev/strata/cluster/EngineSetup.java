package dev.strata.cluster;

import dev.strata.protocol.CborSerializable;
import java.util.List;
import java.util.Objects;

/**
 * What a worker node needs to start the engine a level-n head's next-level tasks run on (API.md, "Level 4"): its
 * level (n - 1), the head's chip kernels, registered on it in this order so that they keep their ids (an orch fn
 * may get a kernel id as a scalar), whether it records traces for the head, and how long one of its runs may take.
 * Sent with every task to an engine entity: a node starts the engine at the first task and keeps it while the setup
 * stays the same.
 *
 * @param level            the engine's level label, one below the head's
 * @param kernelNames      the head's chip kernel names, index = id
 * @param kernelClasses    their classes, made on the node by name
 * @param trace            the head records traces: the engine records each run's and sends it with the answer
 * @param runTimeoutMillis the head's {@code strata.cluster.task-timeout}: a level-3 run the head has stopped waiting
 *                         for ends there too ({@code strata.run.timeout} of the engine), so a retry need not wait
 *                         behind it
 * @param checkTags        the head's tag checker ({@code strata.check.tags}): the engine checks its own tasks too
 */
public record EngineSetup(int level, List<String> kernelNames, List<String> kernelClasses, boolean trace,
                          long runTimeoutMillis, boolean checkTags) implements CborSerializable {

    /** A setup with the tag checker off. */
    public EngineSetup(int level, List<String> kernelNames, List<String> kernelClasses, boolean trace,
                       long runTimeoutMillis) {
        this(level, kernelNames, kernelClasses, trace, runTimeoutMillis, false);
    }

    public EngineSetup {
        kernelNames = List.copyOf(Objects.requireNonNull(kernelNames, "kernelNames"));
        kernelClasses = List.copyOf(Objects.requireNonNull(kernelClasses, "kernelClasses"));
        if (kernelNames.size() != kernelClasses.size()) {
            throw new IllegalArgumentException(kernelNames.size() + " kernel names for " + kernelClasses.size()
                    + " kernel classes");
        }
        if (level < 3) {
            throw new IllegalArgumentException("an engine below a head is at level 3 or above, got " + level);
        }
        if (runTimeoutMillis < 1) {
            throw new IllegalArgumentException("an engine's run timeout must be positive, got " + runTimeoutMillis);
        }
    }
}
