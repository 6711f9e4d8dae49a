package dev.strata.node.dag;

/** The DAG shapes of the {@code noop-dag} job, by their names in {@code strata.job.shapes}. */
public enum DagShape {
    /** N tasks, each with an OUTPUT tensor of its own: no edges at all. */
    INDEPENDENT("independent"),
    /** N tasks INOUT on one tensor: a chain of N−1 edges. */
    CHAIN("chain"),
    /** 1 → N → 1: one producer, N readers each with its own OUTPUT, one task reading all N. */
    FAN("fan"),
    /** N/2 groups of 2 members, each member with an OUTPUT tensor of its own. */
    GROUP("group");

    private final String configName;

    DagShape(String configName) {
        this.configName = configName;
    }

    /** The name used in {@code strata.job.shapes}. */
    public String configName() {
        return configName;
    }

    /** The shape called {@code name}, or null. */
    public static DagShape byName(String name) {
        for (DagShape s : values()) {
            if (s.configName.equals(name)) {
                return s;
            }
        }
        return null;
    }
}
