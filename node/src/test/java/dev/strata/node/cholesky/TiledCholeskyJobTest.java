package dev.strata.node.cholesky;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.node.JobKind;
import dev.strata.node.RunFile;
import dev.strata.node.job.Job;
import dev.strata.node.job.LocalTaskContext;
import dev.strata.node.job.LocalTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import dev.strata.protocol.TensorMemory;
import dev.strata.scheduler.Worker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped tiled Cholesky example (config/examples/tiled-cholesky.conf, a smaller matrix) run as the {@code run}
 * command runs it: with the tag checker on, and what its warm-up runs before the timed factorisations.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TiledCholeskyJobTest {
    private static final Path SHIPPED = Path.of(System.getProperty("user.dir"))
            .resolve("../config/examples/tiled-cholesky.conf").normalize();

    @TempDir
    Path dir;

    /** Runs the shipped example with {@code settings} added, then {@code check} on the engine and the output. */
    private void runExample(String settings, BiConsumer<Worker, String> check) throws Exception {
        Path runFile = Files.writeString(dir.resolve("cholesky.conf"), "include file(\"" + SHIPPED + "\")\n"
                + "strata.worker { arena-size = 16 MiB, heap-ring-size = 4 MiB }\n"
                + "strata.job { matrix-size = 512, tile-size = 128, repetitions = 1 }\n" + settings);
        RunFile file = RunFile.load(runFile);
        Job job = JobKind.createJob(file);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Worker worker = Worker.fromConfig(file.config())) {
            job.register(worker);
            worker.init();
            job.run(worker, new PrintStream(out, true, StandardCharsets.UTF_8));
            check.accept(worker, out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void theExampleRunsCleanWithTheTagCheckOn() throws Exception {
        runExample("strata.check.tags = on\n", (worker, printed) -> {
            assertTrue(worker.settings().checkTags(), "the run file turned the checker on");
            assertEquals(0, worker.lastRun().failedTasks(), printed);
            assertTrue(worker.lastRun().completedTasks() > 0);
            assertEquals(List.of(), worker.lastRun().warnings());
        });
    }

    @Test
    void theEngineRunsTwelveThousandWarmUpTasksBeforeTheRealFactorisations() throws Exception {
        runExample("strata.job.sequential-baseline = false\n", (worker, printed) -> {
            int warmUpRuns = 12_000 / 120; // the 8 × 8-tile DAG (120 calls) until 12 000 tasks ran
            int factorisations = 5 + 1; // the 4 × 4-tile matrix (20 calls): 5 untimed runs, then the 1 repetition
            assertEquals(warmUpRuns + factorisations, worker.metrics().getRuns(), printed);
            assertEquals(warmUpRuns * 120L + factorisations * 20L, worker.metrics().getTasksCompleted(), printed);
            assertEquals(0, worker.metrics().getTasksFailed(), printed);
            assertTrue(printed.contains("residual") && printed.contains(": ok"), printed);
        });
    }

    @Test
    void theWarmUpKernelHoldsItsChipAndLeavesItsTensorsAlone() throws Exception {
        TensorMemory memory = new LocalTensorMemory(Math.toIntExact(LocalTensorMemory.bytesFor(1, 64 * 4)));
        TileMatrix m = TileMatrix.allocate(memory, 8, 8);
        m.load(SpdMatrix.random(8, 3));
        float[] before = new float[64];
        memory.floats(m.tile(0, 0)).get(before);
        TaskArgs args = new TaskArgs().addTensor(m.tile(0, 0), TensorArgType.INOUT);

        long start = System.nanoTime();
        new EngineWarmUpKernel().run(new LocalTaskContext(args.view(), CallConfig.DEFAULT, memory, 0, 0));
        long held = System.nanoTime() - start;

        assertTrue(held >= EngineWarmUpKernel.HOLD_NANOS, "held " + held + " ns");
        float[] after = new float[64];
        memory.floats(m.tile(0, 0)).get(after);
        assertArrayEquals(before, after);
    }
}
