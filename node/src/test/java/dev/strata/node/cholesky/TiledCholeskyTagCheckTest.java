package dev.strata.node.cholesky;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.node.JobKind;
import dev.strata.node.RunFile;
import dev.strata.node.job.Job;
import dev.strata.scheduler.Worker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped tiled Cholesky example (config/examples/tiled-cholesky.conf, a smaller matrix) with the tag checker on:
 * its kernels respect their tags, so every run passes with no failure and no warning.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TiledCholeskyTagCheckTest {
    private static final Path SHIPPED = Path.of(System.getProperty("user.dir"))
            .resolve("../config/examples/tiled-cholesky.conf").normalize();

    @TempDir
    Path dir;

    @Test
    void theExampleRunsCleanWithTheTagCheckOn() throws Exception {
        Path runFile = Files.writeString(dir.resolve("cholesky.conf"), "include file(\"" + SHIPPED + "\")\n"
                + "strata.worker { arena-size = 16 MiB, heap-ring-size = 4 MiB }\n"
                + "strata.job { matrix-size = 512, tile-size = 128, repetitions = 1 }\n"
                + "strata.check.tags = on\n");
        RunFile file = RunFile.load(runFile);
        Job job = JobKind.createJob(file);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Worker worker = Worker.fromConfig(file.config())) {
            assertTrue(worker.settings().checkTags(), "the run file turned the checker on");
            job.register(worker);
            worker.init();
            job.run(worker, new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, worker.lastRun().failedTasks(), out.toString(StandardCharsets.UTF_8));
            assertTrue(worker.lastRun().completedTasks() > 0);
            assertEquals(List.of(), worker.lastRun().warnings());
        }
    }
}
