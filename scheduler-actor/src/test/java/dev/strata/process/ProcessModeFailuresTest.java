package dev.strata.process;

import static dev.strata.protocol.TensorArgType.OUTPUT_EXISTING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.InvalidSettingException;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskError;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import dev.strata.scheduler.WorkerMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What PROCESS mode does when things go wrong: a child killed mid-task, a kernel that exits, hangs or
 * throws, args too large for a mailbox, a kernel that cannot be loaded by name, a child that cannot start,
 * and closing after a failed run. Each failure fails its run clearly and the next run works.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessModeFailuresTest {
    // Long enough that a killed child's death is always seen first, even when a loaded machine stalls the
    // child for seconds; the hanging-kernel test waits it out once.
    private static final Duration TASK_TIMEOUT = Duration.ofSeconds(10);

    private Path dir;
    private Worker w;
    private long noop;
    private long whoami;
    private long fails;
    private long exits;
    private long hangs;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("strata-process-failures-");
        w = ProcessModeScenariosTest.worker(WorkerMode.PROCESS, dir,
                "strata.worker.process { task-timeout = " + TASK_TIMEOUT.toMillis() + " ms, mailbox-size = 8 KiB }");
        noop = w.registerChipCallable("noop", new TestKernels.Noop());
        whoami = w.registerChipCallable("whoami", new TestKernels.WhoAmI());
        fails = w.registerChipCallable("fails", new TestKernels.Throws());
        exits = w.registerChipCallable("exits", new TestKernels.Exits());
        hangs = w.registerChipCallable("hangs", new TestKernels.Hangs());
        w.init();
    }

    @AfterAll
    void stop() throws IOException {
        w.close();
        assertEquals(Set.of(), livingDescendants(), "child JVMs left after close");
        assertEquals(List.of(), ProcessModeScenariosTest.filesIn(dir), "files left after close");
        Files.delete(dir);
    }

    static Set<Long> livingDescendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    /** Polls {@code condition} every millisecond until it holds; fails after {@code limit}. */
    static void await(BooleanSupplier condition, Duration limit, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + limit + " waiting for " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void runOk() {
        w.run(Task.of((orch, args, cfg) -> {
            orch.submitNextLevel(noop, new TaskArgs(), CallConfig.DEFAULT);
            orch.submitNextLevel(noop, new TaskArgs(), CallConfig.DEFAULT);
        }));
    }

    private TaskFailedException runFailing(long callable, TaskArgs args) {
        return assertThrows(TaskFailedException.class, () -> w.run(Task.of(
                (orch, a, cfg) -> orch.submitNextLevel(callable, args, CallConfig.DEFAULT))));
    }

    @Test
    void childKilledMidTaskFailsTheRunWithTheExitCodeAndTheNextRunWorks() throws Exception {
        ContinuousTensor started = w.memory().allocate(DataType.INT64, 1);
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> w.run(Task.of((orch, args, cfg) ->
                orch.submitNextLevel(hangs, new TaskArgs().addTensor(started, OUTPUT_EXISTING), CallConfig.DEFAULT))));
        await(() -> w.memory().longs(started).get(0) != 0, Duration.ofSeconds(30), "the kernel to start");
        long pid = w.memory().longs(started).get(0);
        ProcessHandle child = ProcessHandle.current().descendants().filter(h -> h.pid() == pid).findFirst()
                .orElseThrow(() -> new AssertionError("the kernel's pid " + pid + " is not a child JVM"));
        child.destroyForcibly(); // SIGKILL
        ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(60, TimeUnit.SECONDS));
        TaskFailedException f = assertInstanceOf(TaskFailedException.class, e.getCause());
        assertEquals("hangs", f.callableName());
        assertTrue(f.getMessage().contains("died while running") && f.getMessage().contains("exit code 137")
                && f.getMessage().contains("SIGKILL") && f.getMessage().contains("kernel 'hangs'")
                && f.getMessage().contains("pid " + pid), f.getMessage());
        // "died while running" above: detected by the exit watch, not by the task timeout (which kills with
        // the same signal but says "did not finish within"); how fast is the benchmark's business.
        assertTrue(!f.getMessage().contains("did not finish within"), f.getMessage());
        w.memory().free(started);
        long restartsBefore = w.metrics().getChipProcessRestarts();
        runOk();
        assertTrue(!livingDescendants().contains(pid));
        assertTrue(w.metrics().getChipProcessRestarts() > restartsBefore, "the replacement child is counted");
    }

    @Test
    void kernelThatCallsSystemExitFailsTheRunWithItsExitCode() {
        TaskFailedException f = runFailing(exits, new TaskArgs().addScalar(3));
        assertEquals("exits", f.callableName());
        assertTrue(f.getMessage().contains("died while running kernel 'exits'")
                && f.getMessage().contains("exit code 3"), f.getMessage());
        runOk();
    }

    @Test
    void hangingKernelIsKilledAfterTheTaskTimeout() {
        long start = System.nanoTime();
        TaskFailedException f = runFailing(hangs, new TaskArgs());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("hangs", f.callableName());
        assertTrue(f.getMessage().contains("did not finish within") && f.getMessage().contains("task-timeout"),
                f.getMessage());
        assertTrue(millis >= TASK_TIMEOUT.toMillis(), "failed after " + millis + " ms");
        runOk();
    }

    @Test
    void throwingKernelFailsWithTheChildsMessageAndLeavesTheChildRunning() {
        TaskFailedException f = runFailing(fails, new TaskArgs().addScalar(5));
        assertEquals("fails", f.callableName());
        assertTrue(f.getMessage().contains("kernel 'fails' (callable 2) failed in chip")
                && f.getMessage().contains("java.lang.IllegalStateException: kaput 5"), f.getMessage());
        TaskError.RemoteTaskException cause = assertInstanceOf(TaskError.RemoteTaskException.class, f.getCause());
        assertEquals(ChipProcessException.class.getName(), cause.exceptionClass());
        assertEquals(TestKernels.Throws.class.getName(), cause.getStackTrace()[0].getClassName(),
                "the stack is the child's");
        java.util.regex.Matcher pid = java.util.regex.Pattern.compile("\\(pid (\\d+)\\)").matcher(f.getMessage());
        assertTrue(pid.find(), f.getMessage());
        assertTrue(livingDescendants().contains(Long.parseLong(pid.group(1))),
                "a throwing kernel does not cost its child");
        runOk();
    }

    @Test
    void argsTooLargeForTheMailboxFailAtSubmitBeforeAnyChildSeesThem() {
        TaskArgs huge = new TaskArgs();
        for (int i = 0; i < 600; i++) { // 8 + 600 * 8 bytes > 8 KiB - 64 - 4096
            huge.addScalar(i);
        }
        AtomicInteger submitted = new AtomicInteger();
        TaskFailedException f = assertThrows(TaskFailedException.class, () -> w.run(Task.of((orch, args, cfg) -> {
            orch.submitNextLevel(whoami, huge, CallConfig.DEFAULT);
            submitted.incrementAndGet();
        })));
        assertEquals(0, submitted.get(), "the submit itself threw");
        IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, f.getCause());
        assertTrue(cause.getMessage().contains("'whoami'") && cause.getMessage().contains("4808 bytes")
                && cause.getMessage().contains("mailbox-size"), cause.getMessage());
        runOk();
    }

    @Test
    void lambdaKernelIsRejectedAtRegistrationInProcessMode() throws IOException {
        Path other = Files.createTempDirectory("strata-process-lambda-");
        try (Worker p = ProcessModeScenariosTest.worker(WorkerMode.PROCESS, other, "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> p.registerChipCallable("lambda", ctx -> { }));
            assertTrue(e.getMessage().contains("'lambda'") && e.getMessage().contains("lambda or method reference")
                    && e.getMessage().contains("public no-arg constructor"), e.getMessage());
            IllegalArgumentException anon = assertThrows(IllegalArgumentException.class,
                    () -> p.registerChipCallable("anon", new dev.strata.protocol.ChipKernel() {
                        @Override
                        public void run(dev.strata.protocol.TaskContext ctx) {
                        }
                    }));
            assertTrue(anon.getMessage().contains("anonymous class"), anon.getMessage());
            assertEquals(0, p.registerChipCallable("fine", new TestKernels.Noop()), "a rejected kernel takes no id");
        }
        try (Worker t = ProcessModeScenariosTest.worker(WorkerMode.THREAD, other, "")) {
            t.registerChipCallable("lambda", ctx -> { }); // THREAD mode runs the instance itself
        }
        Files.delete(other);
    }

    @Test
    void closeAfterAFailedRunLeavesNoChildAndNoFile() throws Exception {
        Path own = Files.createTempDirectory("strata-process-close-");
        Set<Long> before = livingDescendants();
        Worker p = ProcessModeScenariosTest.worker(WorkerMode.PROCESS, own, "");
        long bad = p.registerChipCallable("exits", new TestKernels.Exits());
        long throwing = p.registerChipCallable("fails", new TestKernels.Throws());
        p.init();
        Set<Long> children = livingDescendants();
        children.removeAll(before);
        assertEquals(2, children.size(), "one child JVM per chip");
        assertTrue(ProcessModeScenariosTest.filesIn(own).size() >= 5, "memory file, 2 mailboxes, 2 logs");
        assertThrows(TaskFailedException.class, () -> p.run(Task.of((orch, args, cfg) -> {
            orch.submitNextLevel(bad, new TaskArgs().addScalar(7), CallConfig.DEFAULT);
            orch.submitNextLevel(throwing, new TaskArgs().addScalar(1), CallConfig.DEFAULT);
        })));
        p.close();
        assertNothingLeft(before, own);
    }

    @Test
    void closeDuringAHungKernelIsPromptAndLeavesNoChildAndNoFile() throws Exception {
        Path own = Files.createTempDirectory("strata-process-hung-close-");
        Set<Long> before = livingDescendants();
        Worker p = ProcessModeScenariosTest.worker(WorkerMode.PROCESS, own, "");
        long hung = p.registerChipCallable("hangs", new TestKernels.Hangs());
        p.init();
        ContinuousTensor started = p.memory().allocate(DataType.INT64, 1);
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> p.run(Task.of((orch, args, cfg) ->
                orch.submitNextLevel(hung, new TaskArgs().addTensor(started, OUTPUT_EXISTING), CallConfig.DEFAULT))));
        await(() -> p.memory().longs(started).get(0) != 0, Duration.ofSeconds(30), "the kernel to start");
        long t0 = System.nanoTime();
        p.close();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "close took " + took);
        ExecutionException e = assertThrows(ExecutionException.class, () -> run.get(10, TimeUnit.SECONDS));
        assertInstanceOf(TaskFailedException.class, e.getCause());
        assertNothingLeft(before, own);
    }

    @Test
    void jvmOptionTheChildRejectsFailsInitNamingTheSettingAndTheChildsOutput() throws IOException {
        Path own = Files.createTempDirectory("strata-process-start-");
        Set<Long> before = livingDescendants();
        Worker p = ProcessModeScenariosTest.worker(WorkerMode.PROCESS, own,
                "strata.worker.process.jvm-options = [\"-XX:+NoSuchStrataOption\"]");
        p.registerChipCallable("noop", new TestKernels.Noop());
        InvalidSettingException e = assertThrows(InvalidSettingException.class, p::init);
        assertEquals("strata.worker.process.jvm-options", e.key());
        assertTrue(e.getMessage().contains("exited with exit code 1 before it was ready")
                && e.getMessage().contains("Unrecognized VM option 'NoSuchStrataOption'"), e.getMessage());
        p.close();
        Set<Long> left = livingDescendants();
        left.removeAll(before);
        assertEquals(Set.of(), left);
        assertEquals(List.of(), ProcessModeScenariosTest.filesIn(own));
        Files.delete(own);
    }

    /** No child JVM started since {@code before} is alive and {@code dir} is empty; then removes the dir. */
    private static void assertNothingLeft(Set<Long> before, Path dir) throws IOException {
        Set<Long> left = livingDescendants();
        left.removeAll(before);
        assertEquals(Set.of(), left, "no child JVM outlives close()");
        assertEquals(List.of(), ProcessModeScenariosTest.filesIn(dir), "no file outlives close()");
        Files.delete(dir);
    }
}
