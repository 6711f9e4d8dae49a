package dev.strata.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * close() stops what the worker started: it interrupts user code still running, deletes the memory file and
 * leaves no thread that keeps the JVM alive; and a fatal error in the engine fails the run and breaks the
 * worker instead of ending the JVM. Where the JVM itself is the subject, {@link ClosingWorkerMain} runs in a
 * JVM of its own.
 */
@Timeout(120)
public class WorkerCloseTest { // public: a PROCESS-mode child loads SleepingKernel by name
    /** Bound on a child JVM's whole life: start, one short run, close, exit, on a busy machine. */
    private static final Duration CHILD_LIFE = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void closeInterruptsAHungSubTaskAndReturnsWithinSeconds() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Worker w = Worker.builder().numSubWorkers(1).heapRingSize(1 << 20).runTimeout(Duration.ofSeconds(1))
                .build();
        int sleeps = w.register(ctx -> {
            started.countDown();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        });
        w.init();
        TaskFailedException e = assertThrows(TaskFailedException.class,
                () -> w.run(Task.of((orch, a, c) -> orch.submitSub(sleeps))));
        assertTrue(e.getMessage().contains("strata.run.timeout"), e.getMessage());
        assertTrue(started.await(10, TimeUnit.SECONDS));

        // Well under the 30 s it took when nothing interrupted the task; the task ends at once when interrupted.
        CompletableFuture.runAsync(w::close).get(Engine.STOP_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);

        assertTrue(interrupted.await(0, TimeUnit.SECONDS), "the sleeping task saw an interrupt");
        assertTrue(w.toString().contains("closed"), w.toString());
    }

    @Test
    void threadModeMemoryFileIsDeletedAsSoonAsItIsMapped() {
        try (Worker w = Worker.builder().numSubWorkers(1).heapRingSize(1 << 20).build()) {
            w.init();
            Path file = ((SharedTensorMemory) w.memory()).file();

            assertFalse(Files.exists(file), "nobody else maps it, so a SIGKILL must leave nothing: " + file);
            ContinuousTensor t = w.memory().allocate(DataType.FLOAT32, 2);
            w.memory().write(t, new float[] {1, 2});
            assertEquals(2f, w.memory().readFloats(t)[1]);
        }
    }

    /** Sleeps until its child JVM is killed. */
    public static final class SleepingKernel implements ChipKernel {
        @Override
        public void run(TaskContext ctx) throws Exception {
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void processModeKeepsTheFileForItsChildrenUntilCloseEvenAfterAHungKernel() throws Exception {
        Worker w = Worker.builder().mode(WorkerMode.PROCESS).numChipWorkers(1).heapRingSize(1 << 20)
                .runTimeout(Duration.ofSeconds(2)).build();
        long sleeps = w.registerChipCallable("sleeps", new SleepingKernel());
        w.init();
        Path file = ((SharedTensorMemory) w.memory()).file();
        assertTrue(Files.exists(file), "a chip child (and its replacement) attaches by path: " + file);
        assertThrows(TaskFailedException.class, () -> w.run(Task.of((orch, a, c) ->
                orch.submitNextLevel(sleeps, new TaskArgs(), CallConfig.DEFAULT))));

        CompletableFuture.runAsync(w::close).get(60, TimeUnit.SECONDS);

        assertFalse(Files.exists(file), "memory file deleted at close: " + file);
    }

    @Test
    void jvmExitsAfterMainClosesAWorkerWithAHungTaskAndLeavesNoFile() throws Exception {
        Child child = runChild("hang");

        assertEquals(0, child.exitCode, child.output);
        assertTrue(child.has("run failed: ") && child.output.contains("strata.run.timeout"), child.output);
        assertTrue(child.has("task interrupted"), child.output);
        assertTrue(child.closeMillis() < (Engine.STOP_TIMEOUT.toSeconds() + 5) * 1000, child.output);
        assertEquals(List.of(), memoryFilesOf(child.pid()));
    }

    @Test
    void fatalErrorInAnEngineActorFailsTheRunAndBreaksTheWorkerButNotTheJvm() throws Exception {
        Child child = runChild("fatal");

        // Pekko's default, jvm-exit-on-fatal-error, would have ended the JVM with 255 at the error.
        assertEquals(0, child.exitCode, child.output);
        assertTrue(child.has("run failed: run failed: " + Engine.FATAL_STOP), child.output);
        assertTrue(child.has("next run refused: this worker cannot run any more: " + Engine.FATAL_STOP),
                child.output);
        assertTrue(child.has("worker Worker[") && child.output.contains(" broken]"), child.output);
        assertTrue(child.has("task interrupted"), child.output);
        assertTrue(child.has("closed in "), child.output);
        assertEquals(List.of(), memoryFilesOf(child.pid()));
    }

    /** What a finished child JVM printed and how it ended. */
    private record Child(int exitCode, String output) {
        boolean has(String linePrefix) {
            return output.lines().anyMatch(l -> l.startsWith(linePrefix));
        }

        String line(String prefix) {
            return output.lines().filter(l -> l.startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no line '" + prefix + "' in:\n" + output))
                    .substring(prefix.length());
        }

        long pid() {
            return Long.parseLong(line("pid ").trim());
        }

        long closeMillis() {
            return Long.parseLong(line("closed in ").replace(" ms", "").trim());
        }
    }

    /** Runs {@link ClosingWorkerMain} to its end; a JVM still alive after {@link #CHILD_LIFE} fails the test. */
    private Child runChild(String mode) throws Exception {
        Path out = dir.resolve(mode + ".out");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), ClosingWorkerMain.class.getName(), mode)
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            boolean exited = p.waitFor(CHILD_LIFE.toSeconds(), TimeUnit.SECONDS);
            String output = Files.readString(out, StandardCharsets.UTF_8);
            assertTrue(exited, "the JVM did not exit within " + CHILD_LIFE + " after main returned:\n" + output);
            return new Child(p.exitValue(), output);
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Memory files the JVM {@code pid} left in either directory a default memory file may be in. */
    private static List<Path> memoryFilesOf(long pid) throws IOException {
        String prefix = "strata-" + pid + "-";
        List<Path> left = new java.util.ArrayList<>();
        for (Path d : List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir")))) {
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> files = Files.list(d)) {
                left.addAll(files.filter(f -> f.getFileName().toString().startsWith(prefix))
                        .collect(Collectors.toList()));
            }
        }
        return left;
    }

    @Test
    void closeFromAnotherThreadDuringARunStillReturns() throws Exception {
        Worker w = Worker.builder().numSubWorkers(1).heapRingSize(1 << 20).build();
        CountDownLatch started = new CountDownLatch(1);
        int sleeps = w.register(ctx -> {
            started.countDown();
            Thread.sleep(Long.MAX_VALUE);
        });
        w.init();
        CompletableFuture<Throwable> run = CompletableFuture.supplyAsync(() -> {
            try {
                w.run(Task.of((orch, a, c) -> orch.submitSub(sleeps)));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));

        CompletableFuture.runAsync(w::close).get(Engine.STOP_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);

        Throwable failure = run.get(10, TimeUnit.SECONDS);
        assertInstanceOf(TaskFailedException.class, failure);
        assertTrue(failure.getMessage().contains("closed during a run"), failure.getMessage());
    }
}
