package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskError;
import dev.strata.protocol.TensorArgType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
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
    private static final String NODE_HOST_PORT = NodeTaskCounts.hostPort(NODE);
    private final SharedTensorMemory head = SharedTensorMemory.create(null, 8 << 20, SharedTensorMemory.MIN_REGION);
    private final SharedTensorMemory node = SharedTensorMemory.create(null, 8 << 20, SharedTensorMemory.MIN_REGION);
    private final NodeChip nodeChip = new NodeChip(0, NODE, node, 1, new AtomicLong(), NodeChipTest.TRANSFER);
    private final List<ChipEntity.Run> sent = new ArrayList<>();
    private final BlockingQueue<ChipEntity.Run> inbox = new LinkedBlockingQueue<>();
    private final AtomicLong clock = new AtomicLong();
    private final PendingDispatches pending = new PendingDispatches(Duration.ofSeconds(1), clock::get);
    private final NodeTaskCounts counts = new NodeTaskCounts();
    private final List<String> names = List.of("add", "throws", "fill-all");
    private final List<String> classes = List.of(ShippingKernels.AddScalar.class.getName(),
            ShippingKernels.Throws.class.getName(), ShippingKernels.FillAll.class.getName());

    /** Timeouts and re-sends on a thread of their own, as the head's scheduler would run them. */
    static final RemoteChip.Timers TIMERS = timers(Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "remote-chip-timers");
        t.setDaemon(true);
        return t;
    }));

    static RemoteChip.Timers timers(ScheduledExecutorService timer) {
        return (delay, action) -> {
            ScheduledFuture<?> f = timer.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        };
    }

    @AfterEach
    void close() {
        nodeChip.close();
        head.close();
        node.close();
    }

    /** A chip whose entity is {@code entity}: each task of every batch sent is handed to it as its {@link ChipEntity.Run}. */
    private RemoteChip chip(Duration taskTimeout, int maxRetries, Consumer<ChipEntity.Run> entity) {
        return new RemoteChip(0, names, classes, null, head, new RemoteChip.Attempts(taskTimeout, maxRetries,
                Duration.ofMillis(10), Duration.ofMillis(40)), pending, null, message -> {
                    ChipEntity.RunBatch batch = (ChipEntity.RunBatch) message;
                    batch.runs().forEach(entity);
                }, counts, NodeChipTest.TRANSFER, TIMERS);
    }

    /** A chip whose entity is {@link #nodeChip}, answering at once. */
    private RemoteChip chip() {
        return chip(LONG, 2, message -> {
            ChipEntity.Run run = message;
            sent.add(run);
            answer(run);
        });
    }

    /** A chip whose entity only queues what it is sent in {@link #inbox}; the test answers. */
    private RemoteChip silentChip(Duration taskTimeout, int maxRetries) {
        return chip(taskTimeout, maxRetries, message -> inbox.add(message));
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
    void shipsTheTensorsByTagAndWritesTheResultBackBeforeItReturns() throws Exception {
        ContinuousTensor in = head.allocate(DataType.FLOAT32, 4);
        ContinuousTensor out = head.allocate(DataType.FLOAT32, 4);
        head.write(in, new float[] {1, 2, 3, 4});
        head.write(out, new float[] {-1, -1, -1, -1});
        chip().run(0, new TaskArgs().addTensor(in, TensorArgType.INPUT).addTensor(out, TensorArgType.OUTPUT)
                .addScalar(5).view(), CallConfig.DEFAULT, 0);
        assertArrayEquals(new float[] {6, 7, 8, 9}, head.readFloats(out));
        assertArrayEquals(new float[] {1, 2, 3, 4}, head.readFloats(in));
        ChipEntity.Run run = sent.get(0);
        assertEquals("add", run.callableName());
        assertEquals(ShippingKernels.AddScalar.class.getName(), run.kernelClass());
        assertEquals(classes, run.kernelClasses(), "the head's whole table, index = callable id");
        assertEquals(List.of(in), run.plan().in());
        assertEquals(16, run.in().size(), "the OUTPUT's bytes did not go to the node");
        assertEquals(null, run.args().tags(), "the node is given what a kernel sees");
        assertEquals(Map.of(NODE_HOST_PORT, 1L), counts.snapshot(), "the answer's node counted");
        assertEquals(Map.of(NODE_HOST_PORT, 16L), counts.bytesToNodes());
        assertEquals(Map.of(NODE_HOST_PORT, 16L), counts.bytesFromNodes());
        assertEquals(0, pending.pendingCount(), "nothing left pending");
        assertEquals(NODE, pending.nodeOf(0), "the chip's node is known from its answer");
    }

    @Test
    void onlyTensorsTheTaskMayWriteComeBack() throws Exception {
        // The kernel writes all three; the head takes back only the OUTPUT_EXISTING.
        ContinuousTensor input = head.allocate(DataType.FLOAT32, 2);
        ContinuousTensor noDep = head.allocate(DataType.FLOAT32, 2);
        ContinuousTensor existing = head.allocate(DataType.FLOAT32, 2);
        chip().run(2, new TaskArgs().addTensor(input, TensorArgType.INPUT).addTensor(noDep, TensorArgType.NO_DEP)
                .addTensor(existing, TensorArgType.OUTPUT_EXISTING).addScalar(7).view(), CallConfig.DEFAULT, 0);
        assertArrayEquals(new float[2], head.readFloats(input));
        assertArrayEquals(new float[2], head.readFloats(noDep));
        assertArrayEquals(new float[] {7, 7}, head.readFloats(existing));
        assertEquals(Map.of(NODE_HOST_PORT, 24L), counts.bytesToNodes());
        assertEquals(Map.of(NODE_HOST_PORT, 8L), counts.bytesFromNodes());
    }

    @Test
    void aLargeTensorStreamsBothWaysAndTheRetryOfALostAttemptGetsItsOwnStream() throws Exception {
        int n = 512 * 1024; // 2 MiB, read and written through one address
        ContinuousTensor t = head.allocate(DataType.FLOAT32, n);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        head.write(t, values);
        RemoteChip chip = silentChip(LONG, 1);
        TaskArgsView args = new TaskArgs().addTensor(t, TensorArgType.INPUT).addTensor(t, TensorArgType.OUTPUT)
                .addScalar(1).view();
        CompletableFuture<Void> task = running(() -> chip.run(0, args, CallConfig.DEFAULT, 0));
        ChipEntity.Run first = next();
        pending.removed(NODE);
        ChipEntity.Run retry = next();
        assertTrue(first.in().streamed() && retry.in().streamed());
        assertNotSame(first.in().stream(), retry.in().stream(), "a stream can be read once");
        NodeChipTest.TRANSFER.discard(first.in());
        assertTrue(answer(retry));
        task.get(20, TimeUnit.SECONDS);
        float[] result = head.readFloats(t);
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1f, result[i], "element " + i);
        }
        assertEquals(Map.of(NODE_HOST_PORT, 4L * n), counts.bytesToNodes(), "the accepted attempt's bytes");
        assertEquals(Map.of(NODE_HOST_PORT, 4L * n), counts.bytesFromNodes());
    }

    /** An answer from {@link #NODE} to {@code run} whose streamed bytes break off after one chunk. */
    private boolean answerHalfThere(ChipEntity.Run run, long size) {
        NodeChipTest.TRANSFER.discard(run.in());
        TensorBytes halfThere = new TensorBytes(size, null, Source.single(ByteString.fromArray(
                new byte[TensorTransfer.CHUNK])).concat(Source.failed(new IllegalStateException("node gone")))
                .runWith(StreamRefs.sourceRef(), Materializer.matFromSystem(NodeChipTest.TRANSFER_SYSTEM)));
        return pending.answered(run.dispatch(), new ChipEntity.Ran(run.dispatch(), NODE, halfThere, null));
    }

    @Test
    void anAnswerWhoseBytesAreLostIsAFailedAttemptThatLeavesTheHeadsMemoryAsItWas() throws Exception {
        ContinuousTensor t = head.allocate(DataType.FLOAT32, TensorTransfer.CHUNK); // 4 chunks: streamed
        head.bytes(t).put(0, (byte) 42);
        TaskArgsView args = new TaskArgs().addTensor(t, TensorArgType.INOUT).view();
        RemoteChip lossy = chip(LONG, 0, message -> answerHalfThere(message, t.nbytes()));
        TensorTransfer.TransferException e = assertThrows(TensorTransfer.TransferException.class,
                () -> lossy.run(0, args, CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains(NODE) && e.getMessage().contains("'add'")
                && e.getMessage().contains("did not come back"), e.getMessage());
        assertEquals(42, head.bytes(t).get(0));
        assertEquals(0, head.bytes(t).get(1), "nothing of the lost answer was written");
        assertTrue(counts.bytesFromNodes().isEmpty(), "bytes that did not come back are not counted");

        List<Long> attempts = new ArrayList<>();
        RemoteChip retried = chip(LONG, 1, message -> {
            ChipEntity.Run run = message;
            attempts.add(run.dispatch());
            if (attempts.size() == 1) {
                answerHalfThere(run, t.nbytes());
            } else {
                answer(run);
            }
        });
        retried.run(2, new TaskArgs().addTensor(t, TensorArgType.INOUT).addScalar(7).view(), CallConfig.DEFAULT,
                0);
        assertEquals(2, attempts.size(), "dispatched again after its results were lost");
        float[] result = head.readFloats(t);
        assertTrue(result[0] == 7 && result[result.length - 1] == 7, "the retry's result");
        assertEquals(Map.of(NODE_HOST_PORT, 1L), counts.retries());
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
        ChipEntity.Ran stale = new ChipEntity.Ran(first.dispatch(), NODE, NodeChipTest.TRANSFER.send(List.of(
                ByteBuffer.wrap(NodeChipTest.floats(1, 2, 3, 4)), ByteBuffer.wrap(NodeChipTest.floats(99, 99, 99, 99))),
                () -> { }), null);
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
    void theFirstAttemptOfAChipWhoseNodeWasRemovedIsReSentUntilAnswered() throws Exception {
        ContinuousTensor in = head.allocate(DataType.FLOAT32, 4);
        ContinuousTensor out = head.allocate(DataType.FLOAT32, 4);
        chip().run(0, new TaskArgsSnapshot(List.of(in, out), new long[] {1}), CallConfig.DEFAULT, 0);
        pending.removed(NODE); // while the chip was idle
        RemoteChip chip = silentChip(LONG, 0);
        CompletableFuture<Void> task = running(() -> chip.run(0, new TaskArgsSnapshot(List.of(in, out),
                new long[] {6}), CallConfig.DEFAULT, 0));
        ChipEntity.Run first = next(); // may take the dead node's stale route: sent again
        ChipEntity.Run again = next();
        assertEquals(first.dispatch(), again.dispatch(), "the same dispatch, not a retry");
        assertTrue(answer(again));
        task.get(20, TimeUnit.SECONDS);
        assertArrayEquals(new float[] {6, 6, 6, 6}, head.readFloats(out));
        assertTrue(counts.retries().isEmpty());
    }

    @Test
    void retriesAreBoundedAndTheErrorNamesTheNodeAndTheSetting() throws Exception {
        ContinuousTensor t = head.allocate(DataType.FLOAT32, 4);
        List<Long> dispatches = new ArrayList<>();
        RemoteChip chip = chip(LONG, 2, message -> {
            ChipEntity.Run run = message;
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

    /** A completion whose steps run on a queue the test drains, as the worker actor's thread would. */
    private static final class Steps implements dev.strata.worker.TaskCompletion {
        final BlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();

        @Override
        public void onWorkerThread(Runnable step) {
            queue.add(step);
        }

        @Override
        public void done(Throwable error) {
            ended.complete(error);
        }

        /** Runs steps until the task ended; returns its error (null on success). */
        Throwable drain() throws Exception {
            while (!ended.isDone()) {
                Runnable step = queue.poll(20, TimeUnit.SECONDS);
                assertTrue(step != null, "a step came");
                step.run();
            }
            return ended.get();
        }
    }

    @Test
    void tasksStartedTogetherGoInOneBatchAndEachEndsWhenItsResultsAreWritten() throws Exception {
        ContinuousTensor in = head.allocate(DataType.FLOAT32, 4);
        ContinuousTensor out1 = head.allocate(DataType.FLOAT32, 4);
        ContinuousTensor out2 = head.allocate(DataType.FLOAT32, 4);
        List<ChipEntity.RunBatch> batches = new ArrayList<>();
        RemoteChip chip = new RemoteChip(0, names, classes, null, head, new RemoteChip.Attempts(LONG, 2,
                Duration.ofMillis(10), Duration.ofMillis(40)), pending, null,
                message -> batches.add((ChipEntity.RunBatch) message), counts, NodeChipTest.TRANSFER, TIMERS);
        Steps first = new Steps();
        Steps second = new Steps();
        chip.start(0, new TaskArgsSnapshot(List.of(in, out1), new long[] {1}), CallConfig.DEFAULT, 0, first);
        chip.start(0, new TaskArgsSnapshot(List.of(in, out2), new long[] {2}), CallConfig.DEFAULT, 0, second);
        assertTrue(batches.isEmpty(), "nothing goes before the flush");
        chip.flush();
        chip.flush();
        assertEquals(1, batches.size(), "one message for both; an empty flush sends nothing");
        List<ChipEntity.Run> runs = batches.get(0).runs();
        assertEquals(2, runs.size());
        assertTrue(answer(runs.get(1)));
        assertTrue(answer(runs.get(0)));
        org.junit.jupiter.api.Assertions.assertNull(second.drain());
        org.junit.jupiter.api.Assertions.assertNull(first.drain());
        assertArrayEquals(new float[] {1, 1, 1, 1}, head.readFloats(out1));
        assertArrayEquals(new float[] {2, 2, 2, 2}, head.readFloats(out2));
        assertEquals(Map.of(NODE_HOST_PORT, 2L), counts.snapshot());
    }

    @Test
    void closingGivesUpTheTasksInFlightAndRefusesNewOnes() throws Exception {
        ContinuousTensor t = head.allocate(DataType.FLOAT32, 4);
        RemoteChip chip = silentChip(LONG, 2);
        Steps task = new Steps();
        chip.start(0, new TaskArgsSnapshot(List.of(t, t), new long[] {1}), CallConfig.DEFAULT, 0, task);
        chip.flush();
        ChipEntity.Run run = next();
        chip.close();
        assertInstanceOf(java.util.concurrent.CancellationException.class, task.drain());
        assertFalse(answer(run), "given up: its answer is ignored");
        assertThrows(java.util.concurrent.CancellationException.class, () -> chip.start(0,
                new TaskArgsSnapshot(List.of(t, t), new long[] {1}), CallConfig.DEFAULT, 0, new Steps()));
    }

    /** The node's answer to {@code run} saying the attempt did not run to its end there (its entity stopped). */
    private boolean answerLost(ChipEntity.Run run) {
        NodeChipTest.TRANSFER.discard(run.in());
        return pending.answered(run.dispatch(), new ChipEntity.Ran(run.dispatch(), NODE, null, new TaskError(
                AttemptLostException.class.getName(), "its chip entity stopped while the task ran", List.of())));
    }

    @Test
    void anAttemptLostOnTheNodeIsDispatchedAgainAndNotCountedAsRunThere() throws Exception {
        ContinuousTensor in = head.allocate(DataType.FLOAT32, 4);
        ContinuousTensor out = head.allocate(DataType.FLOAT32, 4);
        List<Long> dispatches = new ArrayList<>();
        RemoteChip chip = chip(LONG, 1, message -> {
            ChipEntity.Run run = message;
            if (!dispatches.contains(run.dispatch())) {
                dispatches.add(run.dispatch());
                if (dispatches.size() == 1) {
                    answerLost(run);
                } else {
                    answer(run);
                }
            }
        });
        chip.run(0, new TaskArgsSnapshot(List.of(in, out), new long[] {4}), CallConfig.DEFAULT, 0);
        assertArrayEquals(new float[] {4, 4, 4, 4}, head.readFloats(out));
        assertEquals(2, dispatches.size());
        assertEquals(Map.of(NODE_HOST_PORT, 1L), counts.retries());
        assertEquals(Map.of(NODE_HOST_PORT, 1L), counts.snapshot(), "only the attempt that ran is counted");

        RemoteChip noRetry = chip(LONG, 0, message -> answerLost(message));
        AttemptLostException e = assertThrows(AttemptLostException.class, () -> noRetry.run(0,
                new TaskArgsSnapshot(List.of(in, out), new long[] {4}), CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains("did not run to its end on worker node " + NODE)
                && e.getMessage().contains("'add'"), e.getMessage());
    }

    @Test
    void anUnknownCallableIdFailsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chip()
                .run(7, new TaskArgsSnapshot(List.of(), new long[0]), CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
    }
}
