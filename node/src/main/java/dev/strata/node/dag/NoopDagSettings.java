package dev.strata.node.dag;

import dev.strata.config.InvalidSettingException;
import dev.strata.node.job.JobSection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Settings of a {@code noop-dag} job, read from {@code strata.job}; see the node's {@code reference.conf}.
 *
 * @param shapes the shapes to run, in order (a shape may repeat)
 * @param tasks  N, the tasks of each shape
 */
public record NoopDagSettings(List<DagShape> shapes, int tasks) {
    /** The job settings this job reads, below {@code strata.job}. */
    public static final List<String> KEYS = List.of("shapes", "tasks");
    /** Upper bound on N: each task has a tensor of its own in the user arena. */
    public static final int MAX_TASKS = 1_000_000;

    public NoopDagSettings {
        if (shapes.isEmpty()) {
            throw new InvalidSettingException(JobSection.key("shapes"), "[]", "must name at least one shape: " + allNames());
        }
        shapes = List.copyOf(shapes);
        if (tasks < 2 || tasks > MAX_TASKS) {
            throw new InvalidSettingException(JobSection.key("tasks"), tasks, "must be between 2 and " + MAX_TASKS);
        }
    }

    /** Reads and validates the settings. */
    public static NoopDagSettings read(JobSection job) {
        List<DagShape> shapes = new ArrayList<>();
        for (String name : job.strings("shapes")) {
            DagShape shape = DagShape.byName(name.trim());
            if (shape == null) {
                throw new InvalidSettingException(JobSection.key("shapes"), name, "each shape must be one of " + allNames());
            }
            shapes.add(shape);
        }
        return new NoopDagSettings(shapes, job.integer("tasks"));
    }

    private static String allNames() {
        return Arrays.stream(DagShape.values()).map(DagShape::configName).collect(Collectors.joining(", "));
    }
}
