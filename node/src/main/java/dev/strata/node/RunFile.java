package dev.strata.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A parsed run file.
 *
 * @param path   where it was read from
 * @param file   the file's own settings, without defaults (used to spot keys that belong to no job)
 * @param config the file over {@code ConfigFactory.load()}, resolved: what the engine and the job read
 */
public record RunFile(Path path, Config file, Config config) {

    /** Reads and resolves {@code path}; a missing file or a HOCON error fails naming the file. */
    public static RunFile load(Path path) throws RunFileException {
        if (!Files.exists(path)) {
            throw new RunFileException("run file not found: " + path);
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new RunFileException("run file is not a readable file: " + path);
        }
        Config file;
        try {
            file = ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new RunFileException("cannot parse run file " + path + ": " + e.getMessage(), e);
        }
        try {
            return new RunFile(path, file, file.withFallback(ConfigFactory.load()).resolve());
        } catch (ConfigException e) {
            throw new RunFileException("cannot resolve run file " + path + ": " + e.getMessage(), e);
        }
    }

    /** A run file from settings already in memory (tests, embedding); resolved over {@code ConfigFactory.load()}. */
    public static RunFile of(Path path, Config file) {
        return new RunFile(path, file, file.withFallback(ConfigFactory.load()).resolve());
    }
}
