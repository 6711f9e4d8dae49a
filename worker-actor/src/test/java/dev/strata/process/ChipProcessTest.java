package dev.strata.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.InvalidSettingException;
import dev.strata.config.ProcessSettings;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.process.ChipProcessException.Reason;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One chip-process proxy and its real child JVM, without an engine around them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChipProcessTest {
    private static final List<String> NAMES = List.of("noop", "add", "throws", "exits", "hangs", "whoami");
    private static final List<ChipKernel> KERNELS = List.of(new TestKernels.Noop(), new TestKernels.AddScalar(),
            new TestKernels.Throws(), new TestKernels.Exits(), new TestKernels.Hangs(), new TestKernels.WhoAmI());
    private static final long NOOP = 0;
    private static final long ADD = 1;
    private static final long THROWS = 2;
    private static final long EXITS = 3;
    private static final long HANGS = 4;
    private static final long WHOAMI = 5;

    @TempDir
    Path dir;

    private SharedTensorMemory memory;
    private ChipProcess proxy;
    private final RoundTripStats roundTrips = new RoundTripStats();

    @BeforeEach
    void createMemory() {
        memory = SharedTensorMemory.create(dir, 64 * 1024, 64 * 1024);
    }

    @AfterEach
    void closeAll() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        assertEquals(List.of(), childJvms(), "no child JVM may outlive close()");
        memory.close();
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.collect(Collectors.toList()), "no file may outlive close()");
        }
    }

    private ChipProcess start(ProcessSettings settings) {
        proxy = new ChipProcess(0, NAMES, KERNELS, memory, 2, settings, roundTrips);
        proxy.start();
        return proxy;
    }

    private ChipProcess start() {
        return start(ProcessSettings.defaults());
    }

    static List<ProcessHandle> childJvms() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).collect(Collectors.toList());
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

    private static TaskArgs tensorArg(ContinuousTensor t) {
        return new TaskArgs().addTensor(t, TensorArgType.INOUT);
    }

    @Test
    void startedChildIsADescendantAndReady() throws IOException {
        start();
        assertTrue(proxy.pid() > 0);
        assertEquals(List.of(proxy.pid()), childJvms().stream().map(ProcessHandle::pid).collect(Collectors.toList()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".mbox")).count(), "one mailbox file");
        }
    }

    @Test
    void proxiesStartedTogetherAreAllReady() {
        ChipProcess second = new ChipProcess(1, NAMES, KERNELS, memory, 1, ProcessSettings.defaults(), roundTrips);
        proxy = new ChipProcess(0, NAMES, KERNELS, memory, 1, ProcessSettings.defaults(), roundTrips);
        try {
            ChipProcess.startAll(List.of(proxy, second));
            ContinuousTensor t = memory.allocate(DataType.INT64, 2);
            proxy.run(WHOAMI, tensorArg(t).view(), CallConfig.DEFAULT, 0);
            assertEquals(proxy.pid(), memory.longs(t).get(0));
            second.run(WHOAMI, tensorArg(t).view(), CallConfig.DEFAULT, 1);
            assertEquals(second.pid(), memory.longs(t).get(0));
            assertEquals(2, childJvms().size());
            assertEquals(2, roundTrips.count(), "proxies handed the same stats record into them");
        } finally {
            second.close();
        }
    }

    @Test
    void kernelInTheChildComputesOnSharedMemory() {
        start();
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, 1000);
        memory.write(t, new float[1000]);
        proxy.run(ADD, tensorArg(t).addScalar(3).view(), CallConfig.DEFAULT, 0);
        proxy.run(ADD, tensorArg(t).addScalar(4).view(), new CallConfig(4, 3, false), 0);
        float[] expected = new float[1000];
        Arrays.fill(expected, 7f);
        assertArrayEquals(expected, memory.readFloats(t));
    }

    @Test
    void childSeesTheGroupIndexAndRunsInItsOwnProcess() {
        start();
        ContinuousTensor t = memory.allocate(DataType.INT64, 2);
        proxy.run(WHOAMI, tensorArg(t).view(), CallConfig.DEFAULT, 5);
        assertEquals(proxy.pid(), memory.longs(t).get(0));
        assertEquals(5, memory.longs(t).get(1));
        assertNotEquals(ProcessHandle.current().pid(), proxy.pid());
    }

    @Test
    void kernelThatThrowsFailsWithTheChildsMessageAndStack() {
        start();
        ChipProcessException e = assertThrows(ChipProcessException.class,
                () -> proxy.run(THROWS, new TaskArgs().addScalar(7).view(), CallConfig.DEFAULT, 0));
        assertEquals(Reason.KERNEL_FAILED, e.reason());
        assertTrue(e.getMessage().contains("kernel 'throws' (callable 2) failed in chip 0's process"), e.getMessage());
        assertTrue(e.getMessage().contains("java.lang.IllegalStateException: kaput 7"), e.getMessage());
        assertEquals(TestKernels.Throws.class.getName(), e.getStackTrace()[0].getClassName());
        long pid = proxy.pid();
        proxy.run(NOOP, new TaskArgs().view(), CallConfig.DEFAULT, 0);
        assertEquals(pid, proxy.pid(), "a kernel failure does not cost the child");
    }

    @Test
    void kernelThatExitsFailsWithTheExitCodeAndTheNextTaskGetsAFreshChild() {
        start();
        long first = proxy.pid();
        ChipProcessException e = assertThrows(ChipProcessException.class,
                () -> proxy.run(EXITS, new TaskArgs().addScalar(3).view(), CallConfig.DEFAULT, 0));
        assertEquals(Reason.CHILD_DIED, e.reason());
        assertEquals(3, e.exitCode());
        assertTrue(e.getMessage().contains("kernel 'exits'"), e.getMessage());
        assertTrue(e.getMessage().contains("exit code 3"), e.getMessage());
        assertTrue(e.getMessage().contains("exiting with 3"), "output tail: " + e.getMessage());
        proxy.run(NOOP, new TaskArgs().view(), CallConfig.DEFAULT, 0);
        assertNotEquals(first, proxy.pid());
    }

    @Test
    void childKilledMidTaskFailsTheTaskWithSigkill() throws Exception {
        start();
        ContinuousTensor pidSlot = memory.allocate(DataType.INT64, 1);
        CompletableFuture<Void> task = CompletableFuture.runAsync(
                () -> proxy.run(HANGS, tensorArg(pidSlot).view(), CallConfig.DEFAULT, 0));
        await(() -> memory.longs(pidSlot).get(0) != 0, Duration.ofSeconds(30), "the kernel to start");
        long pid = memory.longs(pidSlot).get(0);
        assertTrue(ProcessHandle.current().descendants().anyMatch(h -> h.pid() == pid));
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ExecutionException e = assertThrows(ExecutionException.class, () -> task.get(30, TimeUnit.SECONDS));
        ChipProcessException c = assertInstanceOf(ChipProcessException.class, e.getCause());
        assertEquals(Reason.CHILD_DIED, c.reason());
        assertEquals(137, c.exitCode());
        assertTrue(c.getMessage().contains("exit code 137 (killed by signal 9, SIGKILL)"), c.getMessage());
        proxy.run(NOOP, new TaskArgs().view(), CallConfig.DEFAULT, 0);
    }

    @Test
    void hangingKernelIsKilledAfterTheTaskTimeout() {
        start(ProcessSettings.defaults().withTaskTimeout(Duration.ofMillis(500)));
        long first = proxy.pid();
        ChipProcessException e = assertThrows(ChipProcessException.class,
                () -> proxy.run(HANGS, new TaskArgs().view(), CallConfig.DEFAULT, 0));
        assertEquals(Reason.TASK_TIMEOUT, e.reason());
        assertTrue(e.getMessage().contains("task-timeout"), e.getMessage());
        assertTrue(ProcessHandle.of(first).isEmpty() || !ProcessHandle.of(first).get().isAlive());
        proxy.run(NOOP, new TaskArgs().view(), CallConfig.DEFAULT, 0);
    }

    @Test
    void frozenChipProcessIsDetectedByItsHeartbeat() throws Exception {
        // A timeout far above any scheduling stall of a loaded machine: a live child never loses its heartbeat
        // here, and a frozen one is still caught well within the 30 s the test waits.
        start(ProcessSettings.defaults().withHeartbeat(Duration.ofMillis(100), Duration.ofSeconds(3)));
        ContinuousTensor pidSlot = memory.allocate(DataType.INT64, 1);
        CompletableFuture<Void> task = CompletableFuture.runAsync(
                () -> proxy.run(HANGS, tensorArg(pidSlot).view(), CallConfig.DEFAULT, 0));
        await(() -> memory.longs(pidSlot).get(0) != 0, Duration.ofSeconds(30), "the kernel to start");
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(proxy.pid())).start();
        assertEquals(0, stop.waitFor());
        ExecutionException e = assertThrows(ExecutionException.class, () -> task.get(30, TimeUnit.SECONDS));
        ChipProcessException c = assertInstanceOf(ChipProcessException.class, e.getCause());
        assertEquals(Reason.HEARTBEAT_LOST, c.reason());
        assertTrue(c.getMessage().contains("heartbeat"), c.getMessage());
    }

    @Test
    void childThatDiedWhileIdleIsReplacedByTheNextTask() {
        start();
        long first = proxy.pid();
        ProcessHandle.of(first).orElseThrow().destroyForcibly();
        // The proxy's own view (its Process object), which is what it checks before the next task.
        await(() -> proxy.pid() == -1, Duration.ofSeconds(30), "the proxy to see its child die");
        proxy.run(NOOP, new TaskArgs().view(), CallConfig.DEFAULT, 0);
        assertNotEquals(first, proxy.pid());
    }

    @Test
    void childThatCannotStartFailsWithItsOutput() {
        proxy = new ChipProcess(0, List.of("broken"), List.of(new TestKernels.BrokenConstructor()), memory, 1,
                ProcessSettings.defaults().withJvmOptions(List.of("-Dstrata.test.broken=true")), roundTrips);
        ChipProcessException e = assertThrows(ChipProcessException.class, proxy::start);
        assertEquals(Reason.START_FAILED, e.reason());
        assertEquals(ChipProcessMain.EXIT_START_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("chip 0's process"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot construct me"), e.getMessage());
    }

    /** Starting under {@code settings} fails naming {@code key}: a configuration error, not a crash. */
    private InvalidSettingException badSetting(ProcessSettings settings, String key) {
        proxy = new ChipProcess(0, NAMES, KERNELS, memory, 1, settings, roundTrips);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, proxy::start);
        assertEquals(key, e.key());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void missingJavaLauncherFailsAtStartNamingTheSetting() {
        String missing = dir.resolve("no-such-java").toString();
        InvalidSettingException e = badSetting(ProcessSettings.defaults().withJava(missing), BadLaunchSetting.JAVA_KEY);
        assertTrue(e.getMessage().contains(missing) && e.getMessage().contains("cannot be executed"), e.getMessage());
    }

    @Test
    void directoryAsJavaFailsAtStartNamingTheSetting() {
        InvalidSettingException e = badSetting(ProcessSettings.defaults().withJava(dir.toString()),
                BadLaunchSetting.JAVA_KEY);
        assertTrue(e.getMessage().contains("cannot be executed"), e.getMessage());
    }

    @Test
    void launcherThatExitsWithoutStartingAJvmFailsNamingJava() {
        InvalidSettingException e = badSetting(ProcessSettings.defaults().withJava("/bin/false"),
                BadLaunchSetting.JAVA_KEY);
        assertTrue(e.getMessage().contains("= /bin/false") && e.getMessage().contains("exit code 1")
                && e.getMessage().contains("it wrote no output"), e.getMessage());
    }

    @Test
    void launcherThatEchoesItsArgumentsFailsNamingJavaWithTheOutputTail() {
        InvalidSettingException e = badSetting(ProcessSettings.defaults().withJava("/bin/echo"),
                BadLaunchSetting.JAVA_KEY);
        assertTrue(e.getMessage().contains("exit code 0") && e.getMessage().contains("--kernel="), e.getMessage());
    }

    @Test
    void jvmOptionTheJvmDoesNotKnowFailsNamingJvmOptionsWithTheJvmsComplaint() {
        InvalidSettingException e = badSetting(ProcessSettings.defaults()
                .withJvmOptions(List.of("-XX:+NoSuchStrataOption")), BadLaunchSetting.JVM_OPTIONS_KEY);
        assertTrue(e.getMessage().contains("[-XX:+NoSuchStrataOption]")
                && e.getMessage().contains("Unrecognized VM option 'NoSuchStrataOption'"), e.getMessage());
    }

    @Test
    void heapTooSmallForTheJvmFailsNamingJvmOptions() {
        InvalidSettingException e = badSetting(ProcessSettings.defaults().withJvmOptions(List.of("-Xmx1k")),
                BadLaunchSetting.JVM_OPTIONS_KEY);
        assertTrue(e.getMessage().contains("Error occurred during initialization of VM"), e.getMessage());
    }

    @Test
    void closeDuringARunningTaskKillsTheChildAndFailsTheTask() throws Exception {
        start();
        ContinuousTensor pidSlot = memory.allocate(DataType.INT64, 1);
        CompletableFuture<Void> task = CompletableFuture.runAsync(
                () -> proxy.run(HANGS, tensorArg(pidSlot).view(), CallConfig.DEFAULT, 0));
        await(() -> memory.longs(pidSlot).get(0) != 0, Duration.ofSeconds(30), "the kernel to start");
        proxy.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> task.get(30, TimeUnit.SECONDS));
        assertInstanceOf(ChipProcessException.class, e.getCause());
        assertEquals(List.of(), childJvms());
    }

    @Test
    void childOfAKilledParentExitsAndRemovesTheSharedFiles() throws Exception {
        Path orphanDir = Files.createDirectory(dir.resolve("orphan"));
        Process parent = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), OrphanedParentMain.class.getName(),
                orphanDir.toString()).redirectErrorStream(true).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8)).lines().filter(l -> l.startsWith("child "))
                    .findFirst().orElseThrow(() -> new AssertionError("the stand-in parent printed no child pid"));
            ProcessHandle child = ProcessHandle.of(Long.parseLong(line.substring(6).trim())).orElseThrow();
            assertTrue(child.isAlive());
            parent.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
            await(() -> !child.isAlive(), Duration.ofSeconds(30), "the orphaned child to exit");
            await(() -> {
                try (Stream<Path> files = Files.list(orphanDir)) {
                    return files.findAny().isEmpty();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, Duration.ofSeconds(30), "the orphaned child to remove memory, mailbox and log");
        } finally {
            parent.destroyForcibly();
            parent.waitFor(30, TimeUnit.SECONDS);
        }
        Files.delete(orphanDir);
    }

    @Test
    void closedProxyRejectsTasks() {
        start();
        proxy.close();
        proxy.close();
        ChipProcessException e = assertThrows(ChipProcessException.class,
                () -> proxy.run(NOOP, new TaskArgs().view(), CallConfig.DEFAULT, 0));
        assertEquals(Reason.CLOSED, e.reason());
    }

    @Test
    void lambdaKernelIsRejectedAtConstruction() {
        ChipKernel lambda = ctx -> { };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ChipProcess(0, List.of("l"), List.of(lambda), memory, 1, ProcessSettings.defaults(),
                        roundTrips));
        assertTrue(e.getMessage().contains("lambda"), e.getMessage());
    }

    @Test
    void roundTripsAreRecorded() {
        start();
        for (int i = 0; i < 100; i++) {
            proxy.run(NOOP, new TaskArgs().view(), CallConfig.DEFAULT, 0);
        }
        assertTrue(proxy.roundTrips() == roundTrips, "the stats handed in");
        assertEquals(100, roundTrips.count(), "exactly this proxy's tasks: the stats are not JVM-wide");
        assertTrue(roundTrips.percentile(0.5) > 0);
    }
}
