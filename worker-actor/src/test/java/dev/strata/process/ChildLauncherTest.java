package dev.strata.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.InvalidSettingException;
import dev.strata.config.ProcessSettings;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.process.ChipProcessException.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line a chip's child is started with, where its files go, and what a failed start leaves. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChildLauncherTest {
    private static final List<String> CLASSES = List.of(TestKernels.Noop.class.getName());
    private static final List<String> NAMES = List.of("noop");

    @TempDir
    Path dir;

    private SharedTensorMemory memory;

    @BeforeEach
    void createMemory() {
        memory = SharedTensorMemory.create(dir, 64 * 1024, 64 * 1024);
    }

    @AfterEach
    void onlyTheMemoryFileIsLeft() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(memory.file().getFileName()),
                    files.map(Path::getFileName).collect(Collectors.toList()), "files besides the memory");
        }
        memory.close();
    }

    private ChildLauncher launcher(ProcessSettings settings) {
        return new ChildLauncher(3, CLASSES, NAMES, memory, 2, settings);
    }

    @Test
    void commandRunsChipProcessMainWithTheSpecAfterTheJvmOptions() {
        ProcessSettings settings = ProcessSettings.defaults().withJava("/opt/jdk/bin/java")
                .withJvmOptions(List.of("-Xmx64m", "-Dx=y"));
        ChildLauncher l = launcher(settings);
        ChildSpec spec = l.spec(dir.resolve("m.mbox"), dir.resolve("m.log"), dir.resolve("m.sock"));
        List<String> cmd = l.command(spec);
        assertEquals(List.of("/opt/jdk/bin/java", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
                "-Xmx64m", "-Dx=y", ChipProcessMain.class.getName()), cmd.subList(0, 5));
        assertEquals(spec.toArgs(), cmd.subList(5, cmd.size()));
        assertFalse(cmd.contains("-cp") || cmd.contains(System.getProperty("java.class.path")),
                "the class path goes through the environment, not the command line");
    }

    @Test
    void specNamesThisJvmTheMemoryAndTheKernelTable() {
        ChildSpec spec = launcher(ProcessSettings.defaults()).spec(dir.resolve("m.mbox"), dir.resolve("m.log"),
                dir.resolve("m.sock"));
        assertEquals(ProcessHandle.current().pid(), spec.parentPid());
        assertEquals(3, spec.chipIndex());
        assertEquals(memory.file().toAbsolutePath(), spec.memory());
        assertEquals(memory.arenaSize(), spec.arenaSize());
        assertEquals(memory.heapSize(), spec.heapSize());
        assertEquals(2, spec.chipThreads());
        assertEquals(ProcessSettings.defaults().heartbeatInterval().toNanos(), spec.heartbeatIntervalNanos());
        assertEquals(CLASSES, spec.kernelClasses());
        assertEquals(NAMES, spec.kernelNames());
    }

    @Test
    void javaIsTheRunningJvmsLauncherUnlessConfigured() {
        String running = launcher(ProcessSettings.defaults()).javaCommand();
        assertTrue(Files.isExecutable(Path.of(running)), running);
        assertEquals("/x/java", launcher(ProcessSettings.defaults().withJava("/x/java")).javaCommand());
    }

    @Test
    void socketGoesNextToTheMemoryUnlessThatPathIsTooLongForAUnixSocket() throws IOException {
        assertEquals(dir.toAbsolutePath().resolve("b.sock"), launcher(ProcessSettings.defaults()).socketPath("b"));
        Path deep = Files.createDirectories(dir.resolve("d".repeat(60)).resolve("e".repeat(60)));
        SharedTensorMemory far = SharedTensorMemory.create(deep, 64 * 1024, 64 * 1024);
        try {
            Path p = new ChildLauncher(0, CLASSES, NAMES, far, 1, ProcessSettings.defaults()).socketPath("b");
            assertEquals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), p.getParent());
            assertTrue(p.getFileName().toString().endsWith(".sock"), p.toString());
        } finally {
            far.close();
            Files.delete(deep);
            Files.delete(deep.getParent());
        }
    }

    @Test
    void launchedChildComesUpAndIsStoppedCleanly() {
        ChipChild c = launcher(ProcessSettings.defaults()).launch(true);
        try {
            c.awaitReady(() -> false, true);
            assertEquals(c.pid(), c.mailbox().readyPid());
            assertTrue(ProcessHandle.current().children().anyMatch(h -> h.pid() == c.pid()));
        } finally {
            c.stop(true);
        }
        assertFalse(c.isAlive());
    }

    @Test
    void missingLauncherIsABadJavaSettingAndLeavesNoFile() {
        String missing = dir.resolve("no-such-java").toString();
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> launcher(ProcessSettings.defaults().withJava(missing)).launch(true));
        assertEquals(BadLaunchSetting.JAVA_KEY, e.key());
        assertTrue(e.getMessage().contains(missing) && e.getMessage().contains("No such file"), e.getMessage());
        assertInstanceOf(IOException.class, e.getCause());
    }

    @Test
    void missingLauncherAfterAChipWasReadyIsAStartFailureAndLeavesNoFile() {
        String missing = dir.resolve("no-such-java").toString();
        ChipProcessException e = assertThrows(ChipProcessException.class,
                () -> launcher(ProcessSettings.defaults().withJava(missing)).launch(false));
        assertEquals(Reason.START_FAILED, e.reason());
        assertEquals(3, e.chipIndex());
        assertTrue(e.getMessage().contains("cannot start chip 3's process with " + missing), e.getMessage());
    }
}
