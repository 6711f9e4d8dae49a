package dev.strata.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

/**
 * Typed view of {@code strata.trace}: whether the scheduler records a trace of every task and where
 * {@code Worker.run} writes it. An invalid value fails with {@link InvalidSettingException} naming the key.
 *
 * @param enabled record submit, ready, dispatch, start and end of every task (off: a boolean check per task)
 * @param file    where each run's Chrome-trace JSON goes (run n &gt; 1 adds {@code -n} before the extension);
 *                empty = keep the records in memory only ({@code Worker.lastRunTrace()}), write no file
 */
public record TraceSettings(boolean enabled, String file) {

    /** Prefix of every key read here. */
    public static final String PATH = "strata.trace";

    public TraceSettings {
        if (file == null) {
            throw new InvalidSettingException(PATH + ".file", null, "must be a path or empty");
        }
    }

    /** Tracing off, with the default file of {@code reference.conf}. */
    public static TraceSettings defaults() {
        return fromConfig(ConfigFactory.defaultReference());
    }

    /** Tracing on, writing each run's trace to {@code file} (empty: records only, no file). */
    public static TraceSettings to(String file) {
        return new TraceSettings(true, file);
    }

    /** Reads {@code strata.trace} from an already resolved config that has every key. */
    static TraceSettings fromConfig(Config c) {
        String enabledKey = PATH + ".enabled";
        String fileKey = PATH + ".file";
        boolean enabled;
        try {
            enabled = c.getBoolean(enabledKey);
        } catch (ConfigException e) {
            throw new InvalidSettingException(enabledKey, WorkerSettings.valueOf(c, enabledKey),
                    "must be true or false", e);
        }
        String file;
        try {
            file = c.getString(fileKey);
        } catch (ConfigException e) {
            throw new InvalidSettingException(fileKey, WorkerSettings.valueOf(c, fileKey), "must be a path or empty",
                    e);
        }
        return new TraceSettings(enabled, file.trim());
    }
}
