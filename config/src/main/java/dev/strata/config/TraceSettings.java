package dev.strata.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Optional;

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

    /**
     * Where run {@code run} (1, 2, ...) of one worker writes its trace: {@link #file()} for the first run, with
     * {@code -<run>} before the extension for later ones ({@code t.json}, {@code t-2.json}, ...); empty when
     * {@link #file()} is empty (records in memory only). Whether tracing is enabled is not asked here.
     */
    public Optional<Path> runFile(int run) {
        if (run < 1) {
            throw new IllegalArgumentException("runs are numbered from 1, got " + run);
        }
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Path path = Path.of(file);
        if (run == 1) {
            return Optional.of(path);
        }
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + run + name.substring(dot) : name + "-" + run;
        return Optional.of(path.resolveSibling(numbered));
    }

    /** Reads {@code strata.trace} from an already resolved config that has every key. */
    static TraceSettings fromConfig(Config c) {
        String enabledKey = PATH + ".enabled";
        String fileKey = PATH + ".file";
        boolean enabled;
        try {
            enabled = c.getBoolean(enabledKey);
        } catch (ConfigException e) {
            throw new InvalidSettingException(enabledKey, ConfigReads.valueOf(c, enabledKey),
                    "must be true or false", e);
        }
        String file;
        try {
            file = c.getString(fileKey);
        } catch (ConfigException e) {
            throw new InvalidSettingException(fileKey, ConfigReads.valueOf(c, fileKey), "must be a path or empty",
                    e);
        }
        return new TraceSettings(enabled, file.trim());
    }
}
