package dev.strata.node.job;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValueType;
import dev.strata.config.InvalidSettingException;
import java.util.Collection;
import java.util.List;

/**
 * Typed reads of the {@code strata.job} section of a run file. Every failure is an
 * {@link InvalidSettingException} naming the full key, e.g. {@code strata.job.tile-size}.
 */
public final class JobSection {
    /** Where the job section lives in a run file. */
    public static final String PATH = "strata.job";

    private final Config config;

    /** The job section of {@code config}, a whole resolved run file (with defaults). */
    public JobSection(Config config) {
        this.config = config;
        ConfigValueType type = config.hasPathOrNull(PATH) ? config.getValue(PATH).valueType() : null;
        if (type != ConfigValueType.OBJECT) {
            throw new InvalidSettingException(PATH, type == null ? "<missing>" : type.name().toLowerCase(),
                    "must be an object with a kind and the job's settings");
        }
    }

    /** The full key of job setting {@code name}. */
    public static String key(String name) {
        return PATH + "." + name;
    }

    /** Whether {@code name} is set to a value other than null. */
    public boolean has(String name) {
        return config.hasPath(key(name));
    }

    /** A string setting. */
    public String string(String name) {
        return read(name, "must be a string", () -> config.getString(key(name)));
    }

    /** An integer setting; a fraction or a value beyond int is an error, never rounded. */
    public int integer(String name) {
        long v = longInteger(name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new InvalidSettingException(key(name), v, "must be an integer between " + Integer.MIN_VALUE
                    + " and " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    /** A 64-bit integer setting; a fraction is an error, never rounded (Typesafe Config would truncate it). */
    public long longInteger(String name) {
        Number n = read(name, "must be an integer", () -> config.getNumber(key(name)));
        if (n instanceof Integer || n instanceof Long) {
            return n.longValue();
        }
        double d = n.doubleValue();
        if (d == Math.rint(d) && Math.abs(d) < 0x1p53) {
            return (long) d;   // written as 1e3 or 1000.0
        }
        throw new InvalidSettingException(key(name), n, "must be an integer");
    }

    /** A number setting. */
    public double number(String name) {
        return read(name, "must be a number", () -> config.getDouble(key(name)));
    }

    /** A boolean setting (true/false, on/off, yes/no). */
    public boolean bool(String name) {
        return read(name, "must be true or false", () -> config.getBoolean(key(name)));
    }

    /** A list of strings. */
    public List<String> strings(String name) {
        return read(name, "must be a list of strings", () -> config.getStringList(key(name)));
    }

    /**
     * Fails if the run file itself ({@code file}, without defaults) sets a job key outside {@code kind} and
     * {@code allowed}: a misspelt or misplaced setting must not be silently ignored.
     */
    public static void checkOnlyKeys(Config file, String jobKind, Collection<String> allowed) {
        if (!file.hasPathOrNull(PATH) || file.getValue(PATH).valueType() != ConfigValueType.OBJECT) {
            return;
        }
        ConfigObject section = file.getObject(PATH);
        for (String name : section.keySet()) {
            if (!name.equals("kind") && !allowed.contains(name)) {
                throw new InvalidSettingException(key(name), section.get(name).unwrapped(),
                        "is not a setting of a " + jobKind + " job (its settings: kind, " + String.join(", ", allowed) + ")");
            }
        }
    }

    private interface Read<T> {
        T get();
    }

    private <T> T read(String name, String rule, Read<T> read) {
        try {
            return read.get();
        } catch (ConfigException.Missing e) {
            throw new InvalidSettingException(key(name), "<missing>", rule, e);
        } catch (ConfigException e) {
            throw new InvalidSettingException(key(name), valueOf(name), rule, e);
        }
    }

    private Object valueOf(String name) {
        try {
            return config.getValue(key(name)).unwrapped();
        } catch (ConfigException e) {
            return "<unreadable>";
        }
    }
}
