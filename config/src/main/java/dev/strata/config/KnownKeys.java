package dev.strata.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rejects keys under {@code strata} that no {@code reference.conf} defines, so a typo such as
 * {@code strata.worker.heap-ring-sise} fails naming itself (and the nearest valid key) instead of running with the
 * default. Dispatcher sections are Pekko's configuration: any key inside them is accepted.
 */
public final class KnownKeys {
    /** The root every Strata key lives under; keys elsewhere (e.g. {@code pekko.*}) are not checked. */
    public static final String ROOT = "strata";

    private final Set<String> leaves = new TreeSet<>();
    private final Set<String> openSections = new TreeSet<>();

    /** The keys {@code reference} defines under {@link #ROOT}. */
    public KnownKeys(Config reference) {
        if (reference.hasPath(ROOT)) {
            collect(reference.getObject(ROOT), ROOT);
        }
    }

    /**
     * Fails with {@link InvalidSettingException} on the first key under {@link #ROOT} in {@code config} that is not
     * known. {@code extraOpenSections} are further sections whose contents are not checked (e.g. a user's own
     * dispatcher named by {@code strata.worker.dispatcher}).
     */
    public void check(Config config, String... extraOpenSections) {
        if (!config.hasPathOrNull(ROOT)) {
            return;
        }
        ConfigValue root = config.getValue(ROOT);
        if (root.valueType() != ConfigValueType.OBJECT) {
            throw new InvalidSettingException(ROOT, root.unwrapped(), "must be a section of Strata settings");
        }
        List<String> unknown = new ArrayList<>();
        walk((ConfigObject) root, ROOT, List.of(extraOpenSections), unknown);
        if (!unknown.isEmpty()) {
            String key = unknown.get(0);
            String near = nearest(key);
            throw new InvalidSettingException(key, ConfigReads.valueOf(config, key),
                    "unknown setting" + (near == null ? "" : "; did you mean " + near + "?"));
        }
    }

    /** The known key closest to {@code key} by edit distance, or null when none is plausibly meant. */
    String nearest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : leaves) {
            int d = editDistance(key, known);
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        // A suggestion is useful only when the typo is small against the key's last word.
        String lastWord = key.substring(key.lastIndexOf('.') + 1);
        return bestDistance <= Math.max(2, lastWord.length() / 3) ? best : null;
    }

    private void collect(ConfigObject section, String path) {
        if (isDispatcher(section)) {
            openSections.add(path);
            return;
        }
        for (Map.Entry<String, ConfigValue> e : section.entrySet()) {
            String child = join(path, e.getKey());
            if (e.getValue().valueType() == ConfigValueType.OBJECT) {
                collect((ConfigObject) e.getValue(), child);
            } else {
                leaves.add(child);
            }
        }
    }

    private void walk(ConfigObject section, String path, List<String> extraOpen, List<String> unknown) {
        for (Map.Entry<String, ConfigValue> e : section.entrySet()) {
            String child = join(path, e.getKey());
            if (openSections.contains(child) || extraOpen.contains(child)
                    || e.getValue().valueType() == ConfigValueType.OBJECT && isDispatcher((ConfigObject) e.getValue())) {
                continue; // a dispatcher section, Strata's or the user's own: Pekko's keys
            }
            if (e.getValue().valueType() == ConfigValueType.OBJECT && !leaves.contains(child)) {
                walk((ConfigObject) e.getValue(), child, extraOpen, unknown);
            } else if (!leaves.contains(child)) {
                unknown.add(child);
            }
        }
    }

    private static String join(String path, String key) {
        return path + "." + (key.contains(".") ? ConfigUtil.quoteString(key) : key);
    }

    /** A Pekko dispatcher section: its keys are Pekko's (executor, pool sizes, throughput, ...). */
    private static boolean isDispatcher(ConfigObject section) {
        ConfigValue type = section.get("type");
        return type != null && "Dispatcher".equals(type.unwrapped());
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
