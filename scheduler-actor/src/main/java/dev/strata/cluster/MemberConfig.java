package dev.strata.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.strata.config.InvalidSettingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;

/**
 * The Pekko configuration of a cluster member, head or worker node: what Strata always sets (the cluster actor
 * provider, the member's role, the split-brain resolver as downing provider) and the failure-detection values it
 * chooses for a compute cluster, which a user's own setting of the same key overrides. docs/cluster.md explains the
 * resulting failover time.
 */
public final class MemberConfig {
    /** The actor system's name on every member: seed-node addresses must name it. */
    public static final String SYSTEM_NAME = "strata";
    /** Role of the JVM that builds the {@code Worker} (orchestrator, ring, scheduler). */
    public static final String HEAD_ROLE = "head";
    /** Role of a worker node (the {@code node} command). */
    public static final String WORKER_ROLE = "worker";
    /** Pekko's seed-node list: addresses {@code pekko://strata@host:port}. */
    public static final String SEED_NODES = "pekko.cluster.seed-nodes";

    /**
     * Tuned for a compute cluster on one network, where a lost node's tasks should move in seconds, not the ~45 s
     * of Pekko's defaults (1 s / 3 s failure detector, stable-after 20 s): a crash is seen as unreachable after
     * about 2-3 s and downed about 5 s later. Pauses shorter than the acceptable pause (a GC, a loaded core) are
     * tolerated; a longer one costs a re-dispatch, never a wrong result.
     */
    static final Map<String, Object> COMPUTE_CLUSTER_DEFAULTS = Map.of(
            "pekko.cluster.failure-detector.heartbeat-interval", "500 ms",
            "pekko.cluster.failure-detector.acceptable-heartbeat-pause", "2 s",
            "pekko.cluster.split-brain-resolver.stable-after", "5 s");

    private MemberConfig() {
    }

    /**
     * {@code config} (already holding every default) as the configuration of a member with {@code role}: Strata's
     * fixed settings over it, and {@link #COMPUTE_CLUSTER_DEFAULTS} for keys still at Pekko's reference values.
     */
    public static Config of(String role, Config config) {
        String fixed = "pekko.actor.provider = cluster\n"
                + "pekko.cluster.roles = [\"" + role + "\"]\n"
                // Without a downing provider an unreachable node stays a member for ever and nothing moves.
                + "pekko.cluster.downing-provider-class = \"org.apache.pekko.cluster.sbr.SplitBrainResolverProvider\"\n"
                // Engines are embedded: a JVM may hold several members (tests, a head beside a node); each needs
                // its own MBean name.
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n";
        Config tuned = ConfigFactory.empty();
        for (Map.Entry<String, Object> e : COMPUTE_CLUSTER_DEFAULTS.entrySet()) {
            if (isReferenceDefault(config, e.getKey())) {
                tuned = tuned.withValue(e.getKey(), ConfigFactory.parseMap(Map.of(e.getKey(), e.getValue()))
                        .getValue(e.getKey()));
            }
        }
        return ConfigFactory.parseString(fixed, com.typesafe.config.ConfigParseOptions.defaults()
                        .setOriginDescription("Strata cluster member (" + role + ")"))
                .withFallback(tuned).withFallback(config);
    }

    /** Whether {@code key} is unset or still the value of a {@code reference.conf} (nobody chose it). */
    static boolean isReferenceDefault(Config config, String key) {
        if (!config.hasPath(key)) {
            return true;
        }
        ConfigValue v = config.getValue(key);
        return "reference.conf".equals(v.origin().resource());
    }

    /**
     * The seed nodes of {@code config}, each checked to be an address {@code pekko://strata@host:port}; an
     * invalid one throws {@link InvalidSettingException} naming {@link #SEED_NODES}.
     */
    public static List<String> seedNodes(Config config) {
        List<String> seeds;
        try {
            seeds = config.hasPath(SEED_NODES) ? config.getStringList(SEED_NODES) : List.of();
        } catch (ConfigException e) {
            throw new InvalidSettingException(SEED_NODES, unwrapped(config), "must be a list of addresses such as"
                    + " \"pekko://" + SYSTEM_NAME + "@127.0.0.1:25520\"", e);
        }
        List<String> checked = new ArrayList<>();
        for (String s : seeds) {
            Address a;
            try {
                a = AddressFromURIString.parse(s);
            } catch (Exception e) {
                throw new InvalidSettingException(SEED_NODES, s, "not an address such as \"pekko://" + SYSTEM_NAME
                        + "@127.0.0.1:25520\"", e);
            }
            if (!SYSTEM_NAME.equals(a.system()) || a.host().isEmpty() || a.port().isEmpty()) {
                throw new InvalidSettingException(SEED_NODES, s, "must be an address pekko://" + SYSTEM_NAME
                        + "@host:port (the actor system is named " + SYSTEM_NAME + " on every member)");
            }
            checked.add(s);
        }
        return List.copyOf(checked);
    }

    private static Object unwrapped(Config config) {
        try {
            return config.getValue(SEED_NODES).unwrapped();
        } catch (ConfigException e) {
            return "<unreadable>";
        }
    }
}
