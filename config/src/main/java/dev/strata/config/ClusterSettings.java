package dev.strata.config;

import static dev.strata.config.ConfigReads.require;
import static dev.strata.config.ConfigReads.requirePositive;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * Typed view of {@code strata.cluster}: whether an engine's actor system joins a Pekko cluster, and the limits of
 * a head in one (docs/cluster.md). Read apart from {@link WorkerSettings}, since a worker node reads it too. An
 * invalid value fails with {@link InvalidSettingException} naming the key.
 *
 * @param enabled         the engine's actor system joins a Pekko cluster (role {@code head} for a {@code Worker},
 *                        {@code worker} for a node)
 * @param minWorkerNodes  {@code init()} waits until this many {@code worker} nodes are up (0: it does not wait)
 * @param joinTimeout     how long {@code init()} waits for them before it throws
 * @param maxTaskRetries  re-dispatches of one task after its node was lost or its completion timed out
 * @param taskTimeout     a remote dispatch without completion this long counts as a failed attempt
 * @param noWorkerTimeout a run with no reachable worker node this long fails
 */
public record ClusterSettings(boolean enabled, int minWorkerNodes, Duration joinTimeout, int maxTaskRetries,
                              Duration taskTimeout, Duration noWorkerTimeout) {

    /** Prefix of every key read here. */
    public static final String PATH = "strata.cluster";

    public ClusterSettings {
        require(minWorkerNodes >= 0, key("min-worker-nodes"), minWorkerNodes, "must be >= 0");
        requirePositive(joinTimeout, key("join-timeout"));
        require(maxTaskRetries >= 0, key("max-task-retries"), maxTaskRetries, "must be >= 0");
        requirePositive(taskTimeout, key("task-timeout"));
        requirePositive(noWorkerTimeout, key("no-worker-timeout"));
    }

    /** The defaults of {@code reference.conf}: cluster mode off. */
    public static ClusterSettings defaults() {
        return fromConfig(ConfigFactory.empty());
    }

    /**
     * Reads {@code strata.cluster} from {@code config}, falling back to the defaults of {@code reference.conf} for
     * missing keys. Only this section is checked here; {@link WorkerSettings#fromConfig} checks the other keys.
     */
    public static ClusterSettings fromConfig(Config config) {
        Config c = config.withFallback(ConfigFactory.defaultReference()).resolve();
        return new ClusterSettings(
                ConfigReads.bool(c, key("enabled")),
                ConfigReads.integer(c, key("min-worker-nodes")),
                ConfigReads.duration(c, key("join-timeout"), "60 s"),
                ConfigReads.integer(c, key("max-task-retries")),
                ConfigReads.duration(c, key("task-timeout"), "60 s"),
                ConfigReads.duration(c, key("no-worker-timeout"), "60 s"));
    }

    /** These settings with {@code enabled} changed. */
    public ClusterSettings withEnabled(boolean v) {
        return new ClusterSettings(v, minWorkerNodes, joinTimeout, maxTaskRetries, taskTimeout, noWorkerTimeout);
    }

    /** These settings with {@code min-worker-nodes} changed (validated). */
    public ClusterSettings withMinWorkerNodes(int v) {
        return new ClusterSettings(enabled, v, joinTimeout, maxTaskRetries, taskTimeout, noWorkerTimeout);
    }

    /** These settings with {@code join-timeout} changed (validated). */
    public ClusterSettings withJoinTimeout(Duration v) {
        return new ClusterSettings(enabled, minWorkerNodes, v, maxTaskRetries, taskTimeout, noWorkerTimeout);
    }

    private static String key(String name) {
        return PATH + "." + name;
    }

    /** The first engine level whose next-level workers can be engines (API.md, "Level 4"). */
    public static final int FIRST_ENGINE_LEVEL = 4;

    /**
     * Whether a level-{@code level} engine with these settings drives engines below it (level-3 engines on the worker
     * nodes) rather than chips: at level 4 and above, in cluster mode. Below that, or without the cluster, the level
     * is only a label.
     */
    public boolean enginesBelow(int level) {
        return enabled && level >= FIRST_ENGINE_LEVEL;
    }
}
