package dev.strata.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code node} command's checks before anything starts; a running node is NodeProcessTest's. */
class NodeCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBadKeyExits2NamingIt() throws Exception {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, "pekko.cluster.seed-nodes = [\"pekko://strata@127.0.0.1:25520\"]\n"
                + "strata.cluster.join-timeout = never\n");
        assertEquals(Cli.BAD_CONFIGURATION, run("node", file.toString()));
        assertTrue(err().contains("invalid setting strata.cluster.join-timeout = never"), err());
    }

    @Test
    void aNodeWithoutSeedNodesExits2() throws Exception {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, "pekko.remote.artery.canonical.port = 0\n");
        assertEquals(Cli.BAD_CONFIGURATION, run("node", file.toString()));
        assertTrue(err().contains("pekko.cluster.seed-nodes") && err().contains("at least one seed node"), err());
    }

    @Test
    void aMissingFileOrArgumentExits2() {
        assertEquals(Cli.BAD_CONFIGURATION, run("node", dir.resolve("absent.conf").toString()));
        assertTrue(err().contains("absent.conf"), err());
        assertEquals(Cli.BAD_CONFIGURATION, run("node"));
        assertTrue(err().contains("'node' takes exactly one argument"), err());
    }

    @Test
    void systemPropertiesOverrideTheFile() throws Exception {
        Path file = dir.resolve("node.conf");
        Files.writeString(file, "pekko.remote.artery.canonical.port = 25521\nstrata.cluster.min-worker-nodes = 1\n");
        System.setProperty("strata.cluster.min-worker-nodes", "7");
        try {
            com.typesafe.config.ConfigFactory.invalidateCaches();
            var c = NodeCommand.load(file);
            assertEquals(7, c.getInt("strata.cluster.min-worker-nodes"));
            assertEquals(25521, c.getInt("pekko.remote.artery.canonical.port"));
        } finally {
            System.clearProperty("strata.cluster.min-worker-nodes");
            com.typesafe.config.ConfigFactory.invalidateCaches();
        }
    }

    @Test
    void theUsageNamesTheNodeCommand() {
        assertEquals(Cli.OK, run("help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("node <node.conf>"));
    }
}
