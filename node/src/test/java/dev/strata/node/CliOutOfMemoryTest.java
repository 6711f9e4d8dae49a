package dev.strata.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A run file too large for the JVM's heap: one line saying what to change, exit 1, no stack trace. */
@Timeout(120)
class CliOutOfMemoryTest {

    @TempDir
    Path dir;

    @Test
    void jobLargerThanTheHeapExits1WithOneLineNamingTheSetting() throws Exception {
        // n = 4096: the job's double-precision copy of A alone is 128 MiB, twice the child's heap.
        Path runFile = Files.writeString(dir.resolve("big.conf"), """
                strata.worker { chip-workers = 2, arena-size = 256 MiB, heap-ring-size = 4 MiB }
                strata.job { kind = tiled-cholesky, matrix-size = 4096, tile-size = 512, sequential-baseline = false,
                             repetitions = 1 }
                """);
        Path stderr = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", runFile.toString()))
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(stderr.toFile())
                .start();
        try {
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the CLI did not exit");
            String err = Files.readString(stderr);
            assertEquals(Cli.JOB_FAILED, p.exitValue(), err);
            assertTrue(err.contains("does not fit in the Java heap") && err.contains("-Xmx")
                    && err.contains("strata.job.matrix-size"), err);
            assertFalse(err.contains("\tat "), "stack trace in:\n" + err);
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
