package dev.strata.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.InvalidSettingException;
import dev.strata.config.ProcessSettings;
import dev.strata.process.ChipProcessException.Reason;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child's lifecycle without a child JVM: the process is a stand-in ({@code sleep}, or a shell that
 * exits), and the child's side of the mailbox and doorbell is played by a thread of this JVM, so each way
 * a child can behave — ready, done, silent, frozen, dead — is chosen by the test, not by timing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChipChildTest {
    private static final int MAILBOX_SIZE = 64 * 1024;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> childSides = new ArrayList<>();
    private Process process;
    private Path mailboxFile;
    private Path socket;

    @AfterEach
    void reapAndCheckFiles() throws Exception {
        for (AutoCloseable c : childSides) {
            c.close();
        }
        for (Process p : processes) {
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stand-in process reaped");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.collect(Collectors.toList()), "no file may outlive the child");
        }
    }

    /** A child over a stand-in process running {@code command}, with its mailbox, output and socket. */
    private ChipChild child(ProcessSettings settings, String... command) throws IOException {
        Path output = dir.resolve("c.log");
        mailboxFile = dir.resolve("c.mbox");
        socket = dir.resolve("c.sock");
        Mailbox mailbox = Mailbox.create(mailboxFile, MAILBOX_SIZE);
        Doorbell.Listener listener = Doorbell.listen(socket);
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(output.toFile())).start();
        processes.add(process);
        return new ChipChild(0, process, mailbox, output, listener, settings);
    }

    private ChipChild sleepingChild(ProcessSettings settings) throws IOException {
        return child(settings, "sleep", "600");
    }

    /** The child's side of the protocol, played in this JVM: connected and ready. */
    private final class ChildSide implements AutoCloseable {
        final Mailbox mailbox = Mailbox.open(mailboxFile);
        final Doorbell doorbell;

        ChildSide() throws IOException {
            doorbell = Doorbell.connect(socket);
            childSides.add(this);
            mailbox.markReady(process.pid());
            doorbell.ring();
        }

        /** Blocks (on the doorbell, as a real child does) until the parent posts a task or SHUTDOWN. */
        int awaitWork() throws IOException {
            int state;
            while ((state = mailbox.childSleeps()) != Mailbox.TASK_READY && state != Mailbox.SHUTDOWN) {
                doorbell.await(0);
            }
            mailbox.childAwake();
            return state;
        }

        @Override
        public void close() {
            doorbell.close();
            mailbox.close();
        }
    }

    private ChildSide readyChild(ChipChild c) throws Exception {
        CompletableFuture<ChildSide> side = CompletableFuture.supplyAsync(() -> {
            try {
                return new ChildSide();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        c.awaitReady(() -> false, true);
        return side.get(30, TimeUnit.SECONDS);
    }

    private static void post(ChipChild c) {
        c.post(0, CallConfig.DEFAULT, 0, new TaskArgs().view(), false);
    }

    @Test
    void readyHandshakeAcceptsTheDoorbellAndRemovesTheSocketFile() throws Exception {
        ChipChild c = sleepingChild(ProcessSettings.defaults());
        readyChild(c);
        assertFalse(Files.exists(socket), "the socket file goes once the child is connected");
        assertTrue(c.isAlive());
        c.discard();
        assertTrue(c.discarded());
    }

    @Test
    void childThatExitsBeforeReadyFailsWithItsExitCodeAndOutput() throws Exception {
        ChipChild c = child(ProcessSettings.defaults(), "sh", "-c", "echo no kernels here; exit 3");
        ChipProcessException e = assertThrows(ChipProcessException.class, () -> c.awaitReady(() -> false, true));
        assertEquals(Reason.START_FAILED, e.reason());
        assertEquals(3, e.exitCode());
        assertTrue(e.getMessage().contains("exited before it was ready: exit code 3")
                && e.getMessage().contains("no kernels here"), e.getMessage());
        assertTrue(c.discarded());
    }

    /** A stand-in that prints what HotSpot prints for an option it does not know, and exits 1. */
    private ChipChild jvmThatRejectsItsOptions(ProcessSettings settings) throws IOException {
        return child(settings, "sh", "-c", "echo \"Unrecognized VM option 'Nope'\";"
                + " echo 'Error: Could not create the Java Virtual Machine.'; exit 1");
    }

    @Test
    void firstChildThatTheJvmDidNotStartIsABadJvmOptionsSetting() throws Exception {
        ChipChild c = jvmThatRejectsItsOptions(ProcessSettings.defaults().withJvmOptions(List.of("-XX:+Nope")));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> c.awaitReady(() -> false, true));
        assertEquals(BadLaunchSetting.JVM_OPTIONS_KEY, e.key());
        assertTrue(e.getMessage().contains("Unrecognized VM option 'Nope' / Error: Could not create"), e.getMessage());
        assertTrue(c.discarded());
    }

    @Test
    void sameEarlyExitAfterAChildOfTheChipWasReadyIsAStartFailure() throws Exception {
        ChipChild c = jvmThatRejectsItsOptions(ProcessSettings.defaults().withJvmOptions(List.of("-XX:+Nope")));
        ChipProcessException e = assertThrows(ChipProcessException.class, () -> c.awaitReady(() -> false, false));
        assertEquals(Reason.START_FAILED, e.reason());
        assertTrue(e.getMessage().contains("Unrecognized VM option 'Nope'"), e.getMessage());
        assertTrue(c.discarded());
    }

    @Test
    void childThatConnectedItsDoorbellBeforeExitingIsAStartFailureWhateverTheSettings() throws Exception {
        ChipChild c = child(ProcessSettings.defaults().withJava("/opt/jdk/bin/java"), "sh", "-c", "read go; exit 1");
        Doorbell connected = Doorbell.connect(socket); // as ChipProcessMain does first
        childSides.add(connected::close);
        process.getOutputStream().write('\n');
        process.getOutputStream().close(); // the stand-in exits only now, after the connection
        ChipProcessException e = assertThrows(ChipProcessException.class, () -> c.awaitReady(() -> false, true));
        assertEquals(Reason.START_FAILED, e.reason());
        assertEquals(1, e.exitCode());
        assertTrue(c.discarded());
    }

    @Test
    void childThatIsNeverReadyIsKilledAfterTheStartTimeout() throws Exception {
        ChipChild c = sleepingChild(ProcessSettings.defaults().withStartTimeout(Duration.ofMillis(200)));
        ChipProcessException e = assertThrows(ChipProcessException.class, () -> c.awaitReady(() -> false, true));
        assertEquals(Reason.START_FAILED, e.reason());
        assertEquals(137, e.exitCode());
        assertTrue(e.getMessage().contains("was not ready within") && e.getMessage().contains("start-timeout"),
                e.getMessage());
        assertFalse(process.isAlive());
    }

    @Test
    void abandonedStartStopsWaitingAtOnce() throws Exception {
        ChipChild c = sleepingChild(ProcessSettings.defaults()); // a 30 s start timeout that is never reached
        ChipProcessException e = assertThrows(ChipProcessException.class, () -> c.awaitReady(() -> true, true));
        assertEquals(Reason.START_FAILED, e.reason());
        assertFalse(process.isAlive());
    }

    @Test
    void taskDoneEndsTheWaitAndTheChildStays() throws Exception {
        ChipChild c = sleepingChild(ProcessSettings.defaults());
        ChildSide side = readyChild(c);
        CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
            try {
                int state = side.awaitWork();
                if (side.mailbox.complete(Mailbox.OK, null)) {
                    side.doorbell.ring();
                }
                return state;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        post(c);
        c.awaitDone(System.nanoTime(), 0, id -> "'k' (callable " + id + ")", () -> false);
        assertEquals(Mailbox.TASK_READY, served.get(30, TimeUnit.SECONDS));
        assertEquals(Mailbox.OK, c.mailbox().error());
        assertFalse(c.discarded());
        c.discard();
    }

    @Test
    void silentHeartbeatKillsTheChild() throws Exception {
        ChipChild c = sleepingChild(ProcessSettings.defaults().withHeartbeat(Duration.ofMillis(20),
                Duration.ofMillis(200)));
        readyChild(c); // never beats
        post(c);
        ChipProcessException e = assertThrows(ChipProcessException.class,
                () -> c.awaitDone(System.nanoTime(), 0, id -> "'k' (callable " + id + ")", () -> false));
        assertEquals(Reason.HEARTBEAT_LOST, e.reason());
        assertEquals(137, e.exitCode());
        assertTrue(e.getMessage().contains("kernel 'k' (callable 0) on chip 0 stopped its heartbeat")
                && e.getMessage().contains("killed its process"), e.getMessage());
        assertTrue(c.discarded());
        assertFalse(process.isAlive());
    }

    @Test
    void taskPastItsTimeoutKillsTheChild() throws Exception {
        ChipChild c = sleepingChild(ProcessSettings.defaults().withTaskTimeout(Duration.ofMillis(200))
                .withHeartbeat(Duration.ofMillis(50), Duration.ofMinutes(10)));
        readyChild(c);
        post(c);
        ChipProcessException e = assertThrows(ChipProcessException.class,
                () -> c.awaitDone(System.nanoTime(), 0, id -> "'k' (callable " + id + ")", () -> false));
        assertEquals(Reason.TASK_TIMEOUT, e.reason());
        assertTrue(e.getMessage().contains("did not finish within") && e.getMessage().contains("task-timeout"),
                e.getMessage());
        assertFalse(process.isAlive());
    }

    @Test
    void processThatDiesMidTaskIsSeenAtTheNextCheck() throws Exception {
        // The doorbell's child end lives in this JVM and stays open: only the process's exit tells.
        ChipChild c = sleepingChild(ProcessSettings.defaults().withHeartbeat(Duration.ofMillis(50),
                Duration.ofMinutes(10)));
        readyChild(c);
        post(c);
        process.destroyForcibly();
        ChipProcessException e = assertThrows(ChipProcessException.class,
                () -> c.awaitDone(System.nanoTime(), 0, id -> "'k' (callable " + id + ")", () -> false));
        assertEquals(Reason.CHILD_DIED, e.reason());
        assertEquals(137, e.exitCode());
        assertTrue(e.getMessage().contains("died while running kernel 'k' (callable 0): exit code 137 (killed by"
                + " signal 9, SIGKILL)"), e.getMessage());
        assertTrue(c.discarded());
    }

    @Test
    void stopRequestWhileWaitingKillsTheChild() throws Exception {
        ChipChild c = sleepingChild(ProcessSettings.defaults().withHeartbeat(Duration.ofMillis(50),
                Duration.ofMinutes(10)));
        readyChild(c);
        post(c);
        ChipProcessException e = assertThrows(ChipProcessException.class,
                () -> c.awaitDone(System.nanoTime(), 0, id -> "'k' (callable " + id + ")", () -> true));
        assertEquals(Reason.CLOSED, e.reason());
        assertFalse(process.isAlive());
    }

    @Test
    void stopAsksForShutdownFirstAndRemovesTheFiles() throws Exception {
        ChipChild c = sleepingChild(ProcessSettings.defaults());
        ChildSide side = readyChild(c);
        CompletableFuture<Integer> asked = CompletableFuture.supplyAsync(() -> {
            try {
                int state = side.awaitWork();
                process.destroy(); // the stand-in "exits" when asked
                return state;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        c.stop(true);
        assertEquals(Mailbox.SHUTDOWN, asked.get(30, TimeUnit.SECONDS));
        assertFalse(process.isAlive());
        assertTrue(c.discarded());
        assertFalse(Files.exists(mailboxFile));
    }

    @Test
    void killAtExitKillsAndRemovesFilesWithoutUnmapping() throws Exception {
        ChipChild c = sleepingChild(ProcessSettings.defaults());
        c.killAtExit();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertFalse(Files.exists(mailboxFile));
        assertFalse(Files.exists(socket));
        assertEquals(Mailbox.IDLE, c.mailbox().state(), "still mapped: a running wait may read it");
        c.discard(); // what the owner does afterwards: unmaps
    }

    @Test
    void outputTailNamesWhatTheChildWrote() throws Exception {
        ChipChild silent = child(ProcessSettings.defaults(), "true");
        assertEquals(0, silent.exitCode());
        assertEquals("; it wrote no output", silent.outputTail());
        silent.discard();
        ChipChild chatty = child(ProcessSettings.defaults(), "sh", "-c", "echo line one; echo line two");
        assertEquals(0, chatty.exitCode());
        assertEquals("; its output ends with:\nline one\nline two", chatty.outputTail());
        chatty.discard();
    }

    @Test
    void exitCodesAreDescribedWithTheirSignal() {
        assertEquals("exit code 3", ChipChild.describeExit(3));
        assertEquals("exit code 137 (killed by signal 9, SIGKILL)", ChipChild.describeExit(137));
        assertEquals("exit code 134 (killed by signal 6, SIGABRT)", ChipChild.describeExit(134));
        assertEquals("exit code 130 (killed by signal 2)", ChipChild.describeExit(130));
        assertEquals("exit code unknown, it did not end", ChipChild.describeExit(-1));
    }
}
