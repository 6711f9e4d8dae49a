package dev.strata.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task memory is bounded by the task window, not by the run's length (issue 8): {@link BoundedTaskMemoryMain}
 * runs in a child JVM with a small heap, where an unbounded backlog of submitted tasks ran out of memory.
 *
 * <p>Sizes: the figures are 3 * 10^6 independent tasks and a 10^6 chain in 256 MiB, which take minutes
 * on a loaded 2-core machine. The same failure shows in 64 MiB with 600k independent tasks and a 400k chain
 * (the backlog of ~0.5 KiB per submitted task passed 64 MiB without the window), with the window at 16k tasks so
 * that a full window fits the small heap as the default 256k fits 256 MiB.
 */
class BoundedTaskMemoryTest {
    private static final long CHILD_SECONDS = 240;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = CHILD_SECONDS + 60, unit = TimeUnit.SECONDS)
    void longRunsCompleteInASmallHeap() throws Exception {
        Path out = dir.resolve("child.out");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx64m",
                "-Dstrata.worker.task-window=16384", "-cp", System.getProperty("java.class.path"),
                BoundedTaskMemoryMain.class.getName(), "600000", "400000")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            boolean exited = p.waitFor(CHILD_SECONDS, TimeUnit.SECONDS);
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertTrue(exited, "the child did not finish within " + CHILD_SECONDS + " s:\n" + output);
            assertEquals(0, p.exitValue(), output);
            assertTrue(output.contains("independent 600000 done"), output);
            assertTrue(output.contains("chain 400000 done"), output);
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
