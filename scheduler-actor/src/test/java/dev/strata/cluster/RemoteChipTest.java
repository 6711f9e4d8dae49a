package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The head's remote chip against a stand-in delivery: a real {@link PendingDispatches}, which the test drives as
 * the delivery actor would (answers, node removals, the no-worker check), and an "entity" that records what is
 * sent and, for the simple cases, answers at once from a {@link NodeChip}.
 */
@Timeout(30)
class RemoteChipTest {
    private static final String NODE = NodeChipTest.NODE;
    private static final Duration LONG = Duration.ofSeconds(20); // a task timeout no test reaches by accident
    private final SharedTensorMemory head = SharedTensorMemory.create(null, 1 << 20, SharedTensorMemory.MIN_REGION);
    private final SharedTensorMemory node = SharedTensorMemory.create(null, 1 << 20, SharedTensorMemory.MIN_REGION);
    private final NodeChip nodeChip = new NodeChip(0, NODE, node, 1, new AtomicLong());
    private final List<ChipEntity.Run> sent = new ArrayList<>();
    private final BlockingQueue<ChipEntity.Run> inbox = new LinkedBlockingQueue<>();
    private final AtomicLong clock = new AtomicLong();
    private final PendingDispatches pending = new PendingDispatches(Duration.ofSeconds(1), clock::get);
    private final NodeTaskCounts counts = new NodeTaskCounts();
    private final List<String> names = List.of("add", "throws");
    private final List<String> classes = List.of(ShippingKernels.AddScalar.class.getName(),
            ShippingKernels.Throws.class.getName());

    @AfterEach
    void close() {
        nodeChip.close();
        head.close();
        node.close();
    }

    private RemoteChip chip(Duration taskTimeout, int maxRetries, Consumer<ChipEntity.Command> entity) {
        return new RemoteChip(0, names, classes, head, new RemoteChip.Attempts(taskTimeout, maxRetries,
                Duration.ofMillis(10), Duration.ofMillis(40)), pending, null, entity, counts);
    }

    /** A chip whose entity is {@link #nodeChip}, answering at once. */
    private RemoteChip chip() {
        return chip(LONG, 2, message -> {
            ChipEntity.Run run = (ChipEntity.Run) message;
            sent.add(run);
            answer(run);
        });
    }

    /** A chip whose entity only queues what it is sent in {@link #inbox}; the test answers. */
    private RemoteChip silentChip(Duration taskTimeout, int maxRetries) {
        return chip(taskTimeout, maxRetries, message -> inbox.add((ChipEntity.Run) message));
    }

    /** The node's answer to {@code run}, delivered as the delivery actor would; whether it was applied. */
    private boolean answer(ChipEntity.Run run) {
        return pending.answered(run.dispatch(), nodeChip.run(run).forDispatch(run.dispatch()));
    }

    private ChipEntity.Run next() throws InterruptedException {
        ChipEntity.Run run = inbox.poll(20, TimeUnit.SECONDS);
        assertTrue(run != null, "a dispatch was sent");
        return run;
    }

    /** Runs {@code task} on its own thread, as a worker actor's thread would. */
    private static CompletableFuture<Void> running(ThrowingTask task) {
        return CompletableFuture.runAsync(() -> {
            try {
                task.run();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    private interface ThrowingTask {
        void run() throws Exception;
    }

    private static Throwable cause(CompletableFuture<Void> f) throws InterruptedException {
        try {
            f.get(20, TimeUnit.SECONDS);
            throw new AssertionError("the task did not fail");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the task did not end", e);
        }
    }

    @Test
    void shipsTheTensorsAndWritesTheChangedBytesBackBeforeItReturns() throws Exception {
        ContinuousTensor in = head.allocate(DataType.FLOAT32, 4);
        ContinuousTensor out = head.allocate(DataType.FLOAT32, 4);
        head.write(in, new float[] {1, 2, 3, 4});
        chip().run(0, new TaskArgsSnapshot(List.of(in, out), new long[] {5}), CallConfig.DEFAULT, 0);
        assertArrayEquals(new float[] {6, 7, 8, 9}, head.readFloats(out));
        assertArrayEquals(new float[] {1, 2, 3, 4}, head.readFloats(in));
        ChipEntity.Run run = sent.get(0);
        assertEquals("add", run.callableName());
        assertEquals(ShippingKernels.AddScalar.class.getName(), run.kernelClass());
        assertEquals(classes, run.kernelClasses(), "the head's whole table, index = callable id");
        assertEquals(List.of(in, out), run.shipped());
        assertEquals(Map.of(NodeTaskCounts.hostPort(NODE), 1L), counts.snapshot(), "the answer's node counted");
        assertEquals(0, pending.pendingCount(), "nothing left pending");
        assertEquals(NODE, pending.nodeOf(0), "the chip's node is known from its answer");
    }

    @Test
    void aFailureOnTheNodeIsRethrownWithTheOriginalClassAndTheNodeAndNotRetried() {
        ContinuousTensor t = head.allocate(DataType.FLOAT32, 4);
        TaskError.RemoteTaskException e = assertThrows(TaskError.RemoteTaskException.class, () -> chip()
                .run(1, new TaskArgsSnapshot(List.of(t), new long[0]), CallConfig.DEFAULT, 0));
        assertEquals(IllegalStateException.class.getName(), e.exceptionClass());
        assertTrue(e.getMessage().contains(NODE), e.getMessage());
        assertEquals(1L, counts.snapshot().get(NodeTaskCounts.hostPort(NODE)),
                "a task that failed on the node ran there");
        assertEquals(1, sent.size(), "a kernel's failure is the task's, not the node's");
    }

    @Test
    void aTaskShippingMoreThanTheLimitIsRejectedBeforeAnythingIsSent() {
        ContinuousTensor a = head.allocate(DataType.FLOAT32, RemoteChip.MAX_SHIPPED_BYTES / 8);
        ContinuousTensor b = head.allocate(DataType.FLOAT32, RemoteChip.MAX_SHIPPED_BYTES / 8 + 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chip()
                .run(0, new TaskArgsSnapshot(List.of(a, b), new long[] {1}), CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains((RemoteChip.MAX_SHIPPED_BYTES + 4) + " bytes")
                && e.getMessage().contains("limit of " + RemoteChip.MAX_SHIPPED_BYTES + " bytes")
                && e.getMessage().contains("'add'"), e.getMessage());
        assertTrue(sent.isEmpty());
        assertTrue(counts.snapshot().isEmpty(), "no node ran it");
        assertEquals(0, pending.pendingCount());
    }

    @Test
    void aTaskLostWithItsNodeIsDispatchedAgainAndOnlyTheRetrysBytesAreApplied() throws Exception {
        ContinuousTensor in = head.allocate(DataType.FLOAT32, 4);
        ContinuousTensor out = head.allocate(DataType.FLOAT32, 4);
        head.write(in, new float[] {1, 2, 3, 4});
        RemoteChip chip = silentChip(LONG, 2);
        CompletableFuture<Void> task = running(() -> chip.run(0, new TaskArgsSnapshot(List.of(in, out),
                new long[] {5}), CallConfig.DEFAULT, 0));
        ChipEntity.Run first = next();
        assertEquals(1, pending.removed(NODE), "the node is removed while the task is in flight there");
        ChipEntity.Run retry = next();
        assertNotEquals(first.dispatch(), retry.dispatch(), "a new dispatch");
        // The first attempt's node was not dead after all: its answer (other bytes) arrives late and is ignored.
        ChipEntity.Ran stale = new ChipEntity.Ran(first.dispatch(), NODE, new int[] {1},
                List.of(NodeChipTest.floats(99, 99, 99, 99)), null);
        assertFalse(pending.answered(first.dispatch(), stale));
        assertTrue(answer(retry));
        task.get(20, TimeUnit.SECONDS);
        assertArrayEquals(new float[] {6, 7, 8, 9}, head.readFloats(out));
        assertFalse(pending.answered(first.dispatch(), stale), "still ignored after the task returned");
        assertArrayEquals(new float[] {6, 7, 8, 9}, head.readFloats(out), "never applied");
        assertEquals(2, pending.lateAnswers());
        assertEquals(Map.of(NodeTaskCounts.hostPort(NODE), 1L), counts.retries(), "one retry, for the lost node");
        assertEquals(Map.of(NodeTaskCounts.hostPort(NODE), 1L), counts.snapshot(), "one task ran");
    }

    @Test
    void anAttemptAfterALossIsReSentAsTheSameDispatchUntilAnswered() throws Exception {
        ContinuousTensor in = head.allocate(DataType.FLOAT32, 4);
        ContinuousTensor out = head.allocate(DataType.FLOAT32, 4);
        RemoteChip chip = silentChip(LONG, 1);
        CompletableFuture<Void> task = running(() -> chip.run(0, new TaskArgsSnapshot(List.of(in, out),
                new long[] {2}), CallConfig.DEFAULT, 0));
        ChipEntity.Run first = next();
        pending.removed(NODE);
        ChipEntity.Run retry = next();
        ChipEntity.Run again = next(); // its first copy may have gone to the dead node's region: sent again
        ChipEntity.Run andAgain = next();
        assertEquals(retry.dispatch(), again.dispatch());
        assertEquals(retry.dispatch(), andAgain.dispatch());
        assertNotEquals(first.dispatch(), retry.dispatch());
        assertTrue(answer(andAgain));
        task.get(20, TimeUnit.SECONDS);
        assertArrayEquals(new float[] {2, 2, 2, 2}, head.readFloats(out));
    }

    @Test
    void retriesAreBoundedAndTheErrorNamesTheNodeAndTheSetting() throws Exception {
        ContinuousTensor t = head.allocate(DataType.FLOAT32, 4);
        List<Long> dispatches = new ArrayList<>();
        RemoteChip chip = chip(LONG, 2, message -> {
            ChipEntity.Run run = (ChipEntity.Run) message;
            if (!dispatches.contains(run.dispatch())) { // each new attempt: its node is removed at once
                dispatches.add(run.dispatch());
                pending.removed(NODE);
            }
        });
        NodeLostException e = assertThrows(NodeLostException.class, () -> chip.run(0,
                new TaskArgsSnapshot(List.of(t, t), new long[] {1}), CallConfig.DEFAULT, 0));
        assertEquals(NODE, e.node());
        String m = e.getMessage();
        assertTrue(m.contains("'add'") && m.contains("failed 3 attempts")
                && m.contains("strata.cluster.max-task-retries = 2") && m.contains("attempt 3 lost with worker node "
                + NODE), m);
        assertEquals(3, dispatches.size(), "1 attempt + 2 retries");
        assertEquals(Map.of(NodeTaskCounts.hostPort(NODE), 2L), counts.retries());
        assertEquals(0, pending.pendingCount());
    }

    @Test
    void noAnswerWithinTheTaskTimeoutIsAFailedAttemptAndItsLateAnswerIsIgnored() throws Exception {
        ContinuousTensor in = head.allocate(DataType.FLOAT32, 4);
        ContinuousTensor out = head.allocate(DataType.FLOAT32, 4);
        RemoteChip chip = silentChip(Duration.ofMillis(100), 1);
        CompletableFuture<Void> task = running(() -> chip.run(0, new TaskArgsSnapshot(List.of(in, out),
                new long[] {3}), CallConfig.DEFAULT, 0));
        ChipEntity.Run first = next();
        ChipEntity.Run retry = next(); // after 100 ms without an answer
        assertNotEquals(first.dispatch(), retry.dispatch());
        assertFalse(answer(first), "the timed-out attempt's answer is late");
        assertTrue(answer(retry));
        task.get(20, TimeUnit.SECONDS);
        assertArrayEquals(new float[] {3, 3, 3, 3}, head.readFloats(out));
        assertEquals(Map.of(NodeTaskCounts.UNKNOWN_NODE, 1L), counts.retries(), "the chip had not answered yet");
    }

    @Test
    void noAnswerWithinTheTaskTimeoutAndNoRetryLeftFailsNamingTheSetting() {
        RemoteChip chip = silentChip(Duration.ofMillis(50), 0);
        ContinuousTensor t = head.allocate(DataType.FLOAT32, 4);
        TimeoutException e = assertThrows(TimeoutException.class, () -> chip
                .run(0, new TaskArgsSnapshot(List.of(t, t), new long[] {1}), CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains("strata.cluster.task-timeout") && e.getMessage().contains("'add'"),
                e.getMessage());
        assertEquals(0, pending.pendingCount());
        assertTrue(counts.retries().isEmpty());
    }

    @Test
    void noReachableWorkerNodeFailsTheTaskAtOnceWithoutRetries() throws Exception {
        ContinuousTensor t = head.allocate(DataType.FLOAT32, 4);
        RemoteChip chip = silentChip(LONG, 2);
        CompletableFuture<Void> task = running(() -> chip.run(0, new TaskArgsSnapshot(List.of(t, t),
                new long[] {1}), CallConfig.DEFAULT, 0));
        next();
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(1, pending.expireWithoutWorkers());
        NoWorkerNodeException e = assertInstanceOf(NoWorkerNodeException.class, cause(task));
        assertTrue(e.getMessage().contains("strata.cluster.no-worker-timeout"), e.getMessage());
        assertTrue(inbox.isEmpty(), "not dispatched again");
    }

    @Test
    void anInterruptedWaitGivesTheDispatchUp() throws Exception {
        ContinuousTensor t = head.allocate(DataType.FLOAT32, 4);
        RemoteChip chip = silentChip(LONG, 2);
        CompletableFuture<Thread> worker = new CompletableFuture<>();
        CompletableFuture<Void> task = running(() -> {
            worker.complete(Thread.currentThread());
            chip.run(0, new TaskArgsSnapshot(List.of(t, t), new long[] {1}), CallConfig.DEFAULT, 0);
        });
        ChipEntity.Run run = next();
        worker.get().interrupt();
        assertInstanceOf(InterruptedException.class, cause(task));
        assertFalse(answer(run), "given up");
    }

    @Test
    void shipsEachAddressOnceTheLargestTensorThereAndNothingForAddressZero() {
        ContinuousTensor small = ContinuousTensor.of(0x100, DataType.FLOAT32, 2);
        ContinuousTensor large = ContinuousTensor.of(0x100, DataType.FLOAT32, 8);
        ContinuousTensor none = ContinuousTensor.of(0, DataType.FLOAT32, 8);
        assertEquals(List.of(large), RemoteChip.shipped(new TaskArgsSnapshot(List.of(small, none, large),
                new long[0])));
    }

    @Test
    void anUnknownCallableIdFailsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chip()
                .run(7, new TaskArgsSnapshot(List.of(), new long[0]), CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
    }
}
