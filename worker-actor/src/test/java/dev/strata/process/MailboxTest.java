package dev.strata.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorArgType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mailbox protocol between two mappings of one file, as parent and child see it: here the "child" is a
 * second thread with its own mapping, which exercises the same release/acquire hand-over.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MailboxTest {
    private static final int SIZE = 64 * 1024;

    @TempDir
    Path dir;

    private Mailbox parent;
    private Mailbox child;
    private Thread parentThread;
    private Thread childThread;

    @BeforeEach
    void map() {
        parent = Mailbox.create(dir.resolve("box.mbox"), SIZE);
        child = Mailbox.open(parent.file());
        parentThread = Thread.currentThread();
    }

    @AfterEach
    void unmap() {
        child.close();
        parent.close();
    }

    /**
     * The child's side of a wait, as the real child does it but with park/unpark standing in for the
     * doorbell: busy for a moment, then announce sleep, re-check, and block until woken.
     */
    private static int awaitWork(Mailbox m) {
        Backoff b = new Backoff(1_000, 1_000);
        b.start(System.nanoTime());
        int s;
        while ((s = m.state()) != Mailbox.TASK_READY && s != Mailbox.SHUTDOWN) {
            if (b.idle()) {
                continue;
            }
            s = m.childSleeps();
            if (s == Mailbox.TASK_READY || s == Mailbox.SHUTDOWN) {
                m.childAwake();
                return s;
            }
            LockSupport.park();
            m.childAwake();
        }
        return s;
    }

    /** The parent's side of a wait for TASK_DONE, same scheme. */
    private static void awaitDone(Mailbox m) {
        Backoff b = new Backoff(1_000, 1_000);
        b.start(System.nanoTime());
        while (m.state() != Mailbox.TASK_DONE) {
            if (b.idle()) {
                continue;
            }
            if (m.parentSleeps() != Mailbox.TASK_DONE) {
                LockSupport.park();
            }
            m.parentAwake();
        }
    }

    /** Runs {@code body} as the "child" on its own thread. */
    private Thread childThread(Runnable body) {
        Thread t = new Thread(body, "fake-child");
        t.setDaemon(true);
        childThread = t;
        t.start();
        return t;
    }

    /** Parent posts, ringing (unparking) the child when told to. */
    private void post(long callable, CallConfig config, int groupIndex, TaskArgsView args) {
        if (parent.post(callable, config, groupIndex, args)) {
            LockSupport.unpark(childThread);
        }
    }

    /** Child completes, ringing (unparking) the parent when told to. */
    private void complete(int error, String text) {
        if (child.complete(error, text)) {
            LockSupport.unpark(parentThread);
        }
    }

    @Test
    void freshMailboxIsIdleWithNoChild() {
        assertEquals(Mailbox.IDLE, child.state());
        assertEquals(0, parent.readyPid());
        assertEquals(0, parent.heartbeat());
        assertEquals(SIZE - Mailbox.HEADER_BYTES - Mailbox.ERROR_TEXT_BYTES, parent.argsCapacity());
        assertEquals(parent.argsCapacity(), Mailbox.argsCapacity(SIZE));
    }

    @Test
    void childSeesEveryFieldTheParentPosted() throws Exception {
        ContinuousTensor t = ContinuousTensor.of(0x10_0000_0040L, DataType.FLOAT32, 2, 3, 4);
        TaskArgs args = new TaskArgs().addTensor(t, TensorArgType.INOUT).addScalar(-7).addScalar(Long.MAX_VALUE);
        CompletableFuture<Object[]> seen = new CompletableFuture<>();
        childThread(() -> {
            int state = awaitWork(child);
            Object[] fields = {state, child.callable(), child.config(), child.groupIndex(), child.args()};
            seen.complete(fields);
            complete(Mailbox.OK, null);
        });
        post(42, new CallConfig(4, 2, true), 3, args.view());
        awaitDone(parent);
        Object[] fields = seen.get(10, TimeUnit.SECONDS);
        assertEquals(Mailbox.TASK_READY, fields[0]);
        assertEquals(42L, fields[1]);
        assertEquals(new CallConfig(4, 2, true), fields[2]);
        assertEquals(3, fields[3]);
        TaskArgsView got = (TaskArgsView) fields[4];
        assertEquals(t, got.tensor(0));
        assertEquals(-7, got.scalar(0));
        assertEquals(Long.MAX_VALUE, got.scalar(1));
        assertEquals(Mailbox.OK, parent.error());
        assertEquals("", parent.errorText());
    }

    @Test
    void manyHandOversInARowKeepTheirOrderAndLoseNoWakeUp() throws Exception {
        int n = 20_000;
        List<Long> got = new ArrayList<>();
        CompletableFuture<Void> finished = new CompletableFuture<>();
        childThread(() -> {
            int k = 0;
            while (awaitWork(child) == Mailbox.TASK_READY) {
                got.add(child.callable() + child.args().scalar(0));
                // Now and then a slow kernel, so both sides really go to sleep on the doorbell.
                if (k++ % 1000 == 0) {
                    LockSupport.parkNanos(2_000_000);
                }
                complete(Mailbox.OK, null);
            }
            finished.complete(null);
        });
        for (int i = 0; i < n; i++) {
            post(i, CallConfig.DEFAULT, 0, new TaskArgs().addScalar(i).view());
            awaitDone(parent);
            parent.reset();
        }
        if (parent.requestShutdown()) {
            LockSupport.unpark(childThread);
        }
        finished.get(20, TimeUnit.SECONDS);
        assertEquals(n, got.size());
        for (int i = 0; i < n; i++) {
            assertEquals(2L * i, got.get(i));
        }
    }

    @Test
    void errorWordAndTextComeBack() throws Exception {
        childThread(() -> {
            awaitWork(child);
            complete(Mailbox.KERNEL_FAILED, "java.lang.IllegalStateException\0kaput ü\0a|b|C.java|3");
        });
        post(1, CallConfig.DEFAULT, 0, new TaskArgs().view());
        awaitDone(parent);
        assertEquals(Mailbox.KERNEL_FAILED, parent.error());
        assertEquals("java.lang.IllegalStateException\0kaput ü\0a|b|C.java|3", parent.errorText());
    }

    @Test
    void nextPostClearsTheLastError() throws Exception {
        childThread(() -> {
            awaitWork(child);
            complete(Mailbox.KERNEL_FAILED, "boom");
            awaitWork(child);
            complete(Mailbox.OK, null);
        });
        post(1, CallConfig.DEFAULT, 0, new TaskArgs().view());
        awaitDone(parent);
        assertEquals(Mailbox.KERNEL_FAILED, parent.error());
        parent.reset();
        post(1, CallConfig.DEFAULT, 0, new TaskArgs().view());
        awaitDone(parent);
        assertEquals(Mailbox.OK, parent.error());
        assertEquals("", parent.errorText());
    }

    @Test
    void longErrorTextIsCutAt4KiBOnACharacterBoundary() {
        String text = "€".repeat(3000); // 3 bytes each: 9000 bytes
        child.complete(Mailbox.KERNEL_FAILED, text);
        String got = parent.errorText();
        byte[] bytes = got.getBytes(StandardCharsets.UTF_8);
        assertTrue(bytes.length <= Mailbox.ERROR_TEXT_BYTES, "length " + bytes.length);
        assertTrue(got.endsWith("...[truncated]"), got.substring(got.length() - 20));
        String kept = got.substring(0, got.length() - " ...[truncated]".length());
        assertTrue(kept.chars().allMatch(c -> c == '€'), "no partial character");
        assertTrue(kept.length() > 1300, "kept " + kept.length());
    }

    @Test
    void blobLargerThanTheMailboxIsRejectedAndNothingIsPublished() {
        TaskArgs args = new TaskArgs();
        for (int i = 0; i < parent.argsCapacity() / 8; i++) {
            args.addScalar(i);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parent.post(0, CallConfig.DEFAULT, 0, args.view()));
        assertTrue(e.getMessage().contains("mailbox-size"), e.getMessage());
        assertEquals(Mailbox.IDLE, child.state());
    }

    @Test
    void blobThatExactlyFillsTheArgsAreaIsAccepted() {
        TaskArgs args = new TaskArgs();
        for (int i = 0; i < (parent.argsCapacity() - 8) / 8; i++) {
            args.addScalar(i);
        }
        parent.post(0, CallConfig.DEFAULT, 0, args.view());
        assertEquals(Mailbox.TASK_READY, child.state());
        assertEquals(args.scalarCount(), child.args().scalarCount());
    }

    @Test
    void heartbeatAndReadyPidAreSeenAcrossMappings() {
        child.beat();
        child.beat();
        assertEquals(2, parent.heartbeat());
        child.markReady(4242);
        assertEquals(4242, parent.readyPid());
    }

    @Test
    void shutdownWakesASleepingChild() throws Exception {
        CompletableFuture<Integer> state = new CompletableFuture<>();
        Thread t = childThread(() -> state.complete(awaitWork(child)));
        while (!parent.isChildWaiting()) {
            Thread.onSpinWait(); // until it announced that it sleeps (bounded by the class timeout)
        }
        assertTrue(parent.requestShutdown(), "a sleeping child must be rung");
        LockSupport.unpark(t);
        assertEquals(Mailbox.SHUTDOWN, state.get(10, TimeUnit.SECONDS));
    }

    @Test
    void publisherIsToldToRingOnlyWhenThePeerSleeps() {
        assertFalse(parent.post(1, CallConfig.DEFAULT, 0, new TaskArgs().view()), "child awake: no ring");
        assertEquals(Mailbox.TASK_READY, child.childSleeps(), "a sleeper re-checks and sees the task");
        assertFalse(child.complete(Mailbox.OK, null), "parent awake: no ring");
        child.childAwake();
        assertEquals(Mailbox.TASK_DONE, parent.parentSleeps());
        assertTrue(child.complete(Mailbox.OK, null), "parent announced sleep: ring it");
        parent.parentAwake();
        assertFalse(child.complete(Mailbox.OK, null));
        parent.reset();
        child.childSleeps();
        assertTrue(parent.post(2, CallConfig.DEFAULT, 0, new TaskArgs().view()), "child announced sleep: ring it");
    }

    @Test
    void openRejectsAFileThatIsNotAMailbox() throws Exception {
        Path other = dir.resolve("other");
        Files.write(other, new byte[SIZE]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mailbox.open(other));
        assertTrue(e.getMessage().contains("not a Strata mailbox"), e.getMessage());
        Files.write(other, new byte[10]);
        assertThrows(IllegalArgumentException.class, () -> Mailbox.open(other));
    }

    @Test
    void createRefusesAnExistingFile() {
        assertThrows(java.io.UncheckedIOException.class, () -> Mailbox.create(parent.file(), SIZE));
    }

    @Test
    void closingTheCreatorDeletesTheFileAndTheOpenerKeepsIt() {
        Path file = parent.file();
        child.close();
        assertTrue(Files.exists(file));
        parent.close();
        assertFalse(Files.exists(file));
        parent.close(); // idempotent
    }

    @Test
    void layoutOffsetsMatchTheSeed() {
        assertArrayEquals(new int[] {0, 4, 8, 16, 64},
                new int[] {Mailbox.STATE, Mailbox.ERROR, Mailbox.CALLABLE, Mailbox.BLOCK_DIM, Mailbox.HEADER_BYTES});
        assertArrayEquals(new int[] {0, 1, 2, 3},
                new int[] {Mailbox.IDLE, Mailbox.TASK_READY, Mailbox.TASK_DONE, Mailbox.SHUTDOWN});
    }

    @Test
    void tagsTravelAfterTheBlobWhenAskedFor() {
        dev.strata.protocol.ContinuousTensor t = dev.strata.protocol.ContinuousTensor.of(0x1000,
                dev.strata.protocol.DataType.FLOAT32, 4);
        TaskArgs args = new TaskArgs().addTensor(t, dev.strata.protocol.TensorArgType.INPUT)
                .addTensor(t.withData(0x2000), dev.strata.protocol.TensorArgType.NO_DEP).addScalar(3);
        parent.post(0, CallConfig.DEFAULT, 0, args.view(), true);
        dev.strata.protocol.TaskArgsSnapshot got = (dev.strata.protocol.TaskArgsSnapshot) child.args(true);
        assertEquals(args.view(), got);
        assertEquals(List.of(dev.strata.protocol.TensorArgType.INPUT, dev.strata.protocol.TensorArgType.NO_DEP),
                got.tags());
        parent.reset();
        parent.post(0, CallConfig.DEFAULT, 0, ((dev.strata.protocol.TaskArgsSnapshot) args.view()).withoutTags(),
                true);
        assertEquals(null, ((dev.strata.protocol.TaskArgsSnapshot) child.args(true)).tags(), "unknown tags");
    }

    @Test
    void aBlobThatFillsTheArgsAreaLeavesNoRoomForTags() {
        TaskArgs args = new TaskArgs();
        for (int i = 0; i < (parent.argsCapacity() - 8) / 8; i++) {
            args.addScalar(i);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parent.post(0, CallConfig.DEFAULT, 0, args.view(), true));
        assertTrue(e.getMessage().contains("their tags") && e.getMessage().contains("mailbox-size"), e.getMessage());
    }

    @Test
    void aWarningComesBackAsTheTextOfAWarnedTask() throws Exception {
        childThread(() -> {
            awaitWork(child);
            complete(Mailbox.WARNED, "callable 'k' wrote tensor 0 of its args, tagged NO_DEP");
        });
        post(1, CallConfig.DEFAULT, 0, new TaskArgs().view());
        awaitDone(parent);
        assertEquals(Mailbox.WARNED, parent.error());
        assertEquals("callable 'k' wrote tensor 0 of its args, tagged NO_DEP", parent.errorText());
    }
}
