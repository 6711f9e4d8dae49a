package dev.strata.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * Typed reads of one key shared by the settings records: a value of the wrong type fails with
 * {@link InvalidSettingException} naming the key, the value and what it must be.
 */
final class ConfigReads {
    private ConfigReads() {
    }

    /** Throws {@link InvalidSettingException} naming {@code key}, {@code value} and {@code rule} unless {@code ok}. */
    static void require(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new InvalidSettingException(key, value, rule);
        }
    }

    /** Requires {@code d}, the value of {@code key}, to be a duration above zero. */
    static void requirePositive(Duration d, String key) {
        require(d != null && !d.isNegative() && !d.isZero(), key, d, "must be > 0");
    }

    static boolean bool(Config c, String key) {
        try {
            return c.getBoolean(key);
        } catch (ConfigException e) {
            throw new InvalidSettingException(key, valueOf(c, key), "must be true or false", e);
        }
    }

    static int integer(Config c, String key) {
        try {
            return c.getInt(key);
        } catch (ConfigException e) {
            throw new InvalidSettingException(key, valueOf(c, key), "must be an integer", e);
        }
    }

    /** A size in bytes; {@code example} shows the form, e.g. {@code 64 MiB}. */
    static long bytes(Config c, String key, String example) {
        try {
            return c.getBytes(key);
        } catch (ConfigException e) {
            throw new InvalidSettingException(key, valueOf(c, key), "must be a size such as " + example, e);
        }
    }

    /** A duration; {@code example} shows the form, e.g. {@code 10 s}. */
    static Duration duration(Config c, String key, String example) {
        try {
            return c.getDuration(key);
        } catch (ConfigException e) {
            throw new InvalidSettingException(key, valueOf(c, key), "must be a duration such as " + example, e);
        }
    }

    static String string(Config c, String key) {
        try {
            return c.getString(key);
        } catch (ConfigException e) {
            throw new InvalidSettingException(key, valueOf(c, key), "must be a string", e);
        }
    }

    /** A list of strings; {@code example} shows one, e.g. {@code ["-Xmx512m"]}. */
    static List<String> strings(Config c, String key, String example) {
        try {
            return c.getStringList(key);
        } catch (ConfigException e) {
            throw new InvalidSettingException(key, valueOf(c, key), "must be a list of strings such as " + example,
                    e);
        }
    }

    /** The value at {@code key} for an error message, as written. */
    static Object valueOf(Config c, String key) {
        try {
            return c.hasPath(key) ? c.getValue(key).unwrapped() : "<missing>";
        } catch (ConfigException e) {
            return "<unreadable>";
        }
    }
}
