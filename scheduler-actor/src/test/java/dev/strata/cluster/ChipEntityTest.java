package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskError;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The entity's actor shell, with every message serialized (application-test.conf), and its sharding wiring. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(30)
class ChipEntityTest {
    private final ActorTestKit testKit = ActorTestKit.create();
    private final SharedTensorMemory memory = SharedTensorMemory.create(null, 1 << 20, SharedTensorMemory.MIN_REGION);
    private final ExecutorService kernels = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-kernels"));

    @AfterAll
    void stop() {
        testKit.shutdownTestKit();
        kernels.shutdownNow();
        memory.close();
    }

    @Test
    void runsEachTaskOnTheKernelExecutorAndAnswersTheBytesItMayWrite() throws Exception {
        AtomicLong ran = new AtomicLong();
        ActorRef<ChipEntity.Command> entity = testKit.spawn(ChipEntity.create(
                new NodeChip(2, NodeChipTest.NODE, memory, 1, ran, NodeChipTest.TRANSFER), kernels));
        TestProbe<ChipEntity.Ran> probe = testKit.createTestProbe();
        entity.tell(withReply(NodeChipTest.addScalar(ShippingKernels.AddScalar.class.getName(), 1), 7, 0,
                probe.getRef()));
        ChipEntity.Ran answer = probe.receiveMessage();
        assertNull(answer.error());
        assertEquals(7, answer.dispatch(), "the answer names its dispatch");
        assertArrayEquals(NodeChipTest.floats(2, 3, 4, 5), NodeChipTest.back(answer));
        assertEquals("test-kernels", ShippingKernels.AddScalar.lastThread, "never on the actor's thread");
        assertEquals(1, ran.get());
    }

    private static ChipEntity.Run withReply(ChipEntity.Run run, long dispatch, int groupIndex,
                                            ActorRef<ChipEntity.Ran> replyTo) {
        return new ChipEntity.Run(dispatch, run.callableName(), run.kernelClass(), run.args(), run.plan(), run.in(),
                run.config(), groupIndex, run.kernelClasses(), replyTo);
    }

    @Test
    void aTaskThatFailsAfterItsEntityStoppedIsAnsweredAsLostForTheHeadToRetryIt() throws Exception {
        // Counts the entity's hand-offs to the kernel thread: task 1's, then task 2's.
        CountDownLatch handedOff = new CountDownLatch(2);
        Executor counting = job -> {
            kernels.execute(job);
            handedOff.countDown();
        };
        ActorRef<ChipEntity.Command> entity = testKit.spawn(ChipEntity.create(
                new NodeChip(2, NodeChipTest.NODE, memory, 1, new AtomicLong(), NodeChipTest.TRANSFER), counting));
        TestProbe<ChipEntity.Ran> probe = testKit.createTestProbe();
        String throwing = ShippingKernels.Throws.class.getName();
        entity.tell(withReply(NodeChipTest.addScalar(throwing, 1), 1, 0, probe.getRef()));
        assertNotNull(probe.receiveMessage().error(), "a failure while the entity lives is answered");

        CountDownLatch hold = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        kernels.execute(() -> {
            holding.countDown();
            try {
                hold.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // The kernel thread is held only once the first task's runner has left it: else the next task could still be
        // taken by that runner, before the hold, and run before the entity stops.
        assertTrue(holding.await(20, TimeUnit.SECONDS));
        entity.tell(withReply(NodeChipTest.addScalar(throwing, 1), 2, 0, probe.getRef())); // queued behind hold
        // Stop only once the entity has taken task 2: a stop comes before the messages still in its mailbox.
        assertTrue(handedOff.await(20, TimeUnit.SECONDS), "the entity handed task 2 to its kernel thread");
        testKit.stop(entity); // the node leaves while the task waits to run
        hold.countDown();
        ChipEntity.Ran lost = probe.receiveMessage();
        assertEquals(2, lost.dispatch());
        assertEquals(AttemptLostException.class.getName(), lost.error().exceptionClass(),
                "the node's doing, not the task's: " + lost.error());
        assertTrue(lost.error().message().contains("chip entity stopped"), lost.error().message());
    }

    @Test
    void aReSentDispatchRunsOnceAndADifferentIdOrHeadRunsAgain() {
        AtomicLong ran = new AtomicLong();
        ActorRef<ChipEntity.Command> entity = testKit.spawn(ChipEntity.create(
                new NodeChip(2, NodeChipTest.NODE, memory, 1, ran, NodeChipTest.TRANSFER), kernels));
        TestProbe<ChipEntity.Ran> head = testKit.createTestProbe();
        TestProbe<ChipEntity.Ran> otherHead = testKit.createTestProbe();
        ChipEntity.Run run = NodeChipTest.addScalar(ShippingKernels.AddScalar.class.getName(), 1);
        entity.tell(withReply(run, 5, 0, head.getRef()));
        entity.tell(withReply(run, 5, 0, head.getRef())); // a re-send while it runs
        assertEquals(5, head.receiveMessage().dispatch());
        entity.tell(withReply(run, 5, 0, head.getRef())); // a re-send after it ran
        entity.tell(withReply(run, 6, 0, head.getRef()));
        assertEquals(6, head.receiveMessage().dispatch(), "the re-sends of 5 were ignored, 6 ran");
        entity.tell(withReply(run, 5, 0, otherHead.getRef()));
        assertEquals(5, otherHead.receiveMessage().dispatch(), "another head's 5 is another dispatch");
        assertEquals(3, ran.get());
    }

    /** {@code runs} as the head's remote chip batches them, answered to {@code replyTo}. */
    private static ChipEntity.RunBatch batch(ActorRef<ChipEntity.RanBatch> replyTo, ChipEntity.Run... runs) {
        List<String> classes = new java.util.ArrayList<>();
        List<ChipEntity.Task> tasks = new java.util.ArrayList<>();
        for (ChipEntity.Run r : runs) {
            if (!classes.contains(r.kernelClass())) {
                classes.add(r.kernelClass());
            }
            tasks.add(new ChipEntity.Task(r.dispatch(), r.callableName(), classes.indexOf(r.kernelClass()),
                    r.args(), r.plan(), r.in(), r.config(), r.groupIndex()));
        }
        return ChipEntity.RunBatch.of(replyTo, classes, null, tasks);
    }

    @Test
    void aBatchRunsInOrderOnTheKernelExecutorAndIsAnsweredInOneMessage() throws Exception {
        AtomicLong ran = new AtomicLong();
        ActorRef<ChipEntity.Command> entity = testKit.spawn(ChipEntity.create(
                new NodeChip(2, NodeChipTest.NODE, memory, 1, ran, NodeChipTest.TRANSFER), kernels));
        TestProbe<ChipEntity.RanBatch> head = testKit.createTestProbe();
        String add = ShippingKernels.AddScalar.class.getName();
        entity.tell(batch(head.getRef(), withReply(NodeChipTest.addScalar(add, 1), 21, 0, null),
                withReply(NodeChipTest.addScalar(ShippingKernels.Throws.class.getName(), 1), 22, 0, null),
                withReply(NodeChipTest.addScalar(add, 2), 23, 1, null)));
        List<ChipEntity.Ran> answers = head.receiveMessage().answers();
        assertEquals(List.of(21L, 22L, 23L), answers.stream().map(ChipEntity.Ran::dispatch).toList());
        assertArrayEquals(NodeChipTest.floats(2, 3, 4, 5), NodeChipTest.back(answers.get(0)));
        assertNotNull(answers.get(1).error(), "a failing task is answered with the others");
        assertArrayEquals(NodeChipTest.floats(3, 4, 5, 6), NodeChipTest.back(answers.get(2)));
        assertEquals("test-kernels", ShippingKernels.AddScalar.lastThread, "never on the actor's thread");

        // A re-sent dispatch in a later batch is not run again; the rest of that batch is.
        entity.tell(batch(head.getRef(), withReply(NodeChipTest.addScalar(add, 1), 23, 0, null),
                withReply(NodeChipTest.addScalar(add, 1), 24, 0, null)));
        assertEquals(List.of(24L), head.receiveMessage().answers().stream().map(ChipEntity.Ran::dispatch).toList());
        entity.tell(batch(head.getRef(), withReply(NodeChipTest.addScalar(add, 1), 24, 0, null)));
        head.expectNoMessage(Duration.ofMillis(200));
        assertEquals(4, ran.get());
    }

    @Test
    void batchesSurviveSerialization() {
        TestProbe<ChipEntity.RanBatch> probe = testKit.createTestProbe();
        ChipEntity.Run run = withReply(NodeChipTest.addScalar(ShippingKernels.AddScalar.class.getName(), 1), 9, 3,
                null);
        ChipEntity.RunBatch batch = testKit.serializationTestKit().verifySerialization(batch(probe.getRef(), run),
                false);
        ChipEntity.Run back = batch.runs().get(0);
        assertEquals(probe.getRef(), batch.replyTo());
        assertEquals(run.args(), back.args());
        assertEquals(run.plan(), back.plan());
        assertArrayEquals(run.in().inline(), back.in().inline());
        assertEquals(run.kernelClass(), back.kernelClass());
        assertEquals(run.callableName(), back.callableName());
        assertEquals(3, back.groupIndex());
        assertEquals(9, back.dispatch());
        ChipEntity.RanBatch answers = ChipEntity.RanBatch.of(List.of(new ChipEntity.Ran(11, "n", null,
                TaskError.of(new IllegalStateException("x"))), new ChipEntity.Ran(12, "n", TensorBytes.NONE, null)));
        List<ChipEntity.Ran> answersBack = testKit.serializationTestKit().verifySerialization(answers, false)
                .answers();
        assertEquals(answers.answers().get(0).error(), answersBack.get(0).error());
        assertEquals(12, answersBack.get(1).dispatch());
        assertThrows(IllegalArgumentException.class, () -> ChipEntity.RanBatch.of(List.of(
                new ChipEntity.Ran(1, "a", TensorBytes.NONE, null), new ChipEntity.Ran(2, "b", TensorBytes.NONE,
                        null))), "one node per batch");
    }

    @Test
    void messagesSurviveSerialization() throws Exception {
        TestProbe<ChipEntity.Ran> probe = testKit.createTestProbe();
        ChipEntity.Run run = withReply(NodeChipTest.addScalar(ShippingKernels.AddScalar.class.getName(), 1), 9, 3,
                probe.getRef());
        ChipEntity.Run back = testKit.serializationTestKit().verifySerialization(run, false);
        assertEquals(run.args(), back.args());
        assertEquals(run.plan(), back.plan());
        assertArrayEquals(run.in().inline(), back.in().inline());
        assertEquals(3, back.groupIndex());
        assertEquals(run.kernelClasses(), back.kernelClasses());
        assertEquals(9, back.dispatch());
        ChipEntity.Ran failed = new ChipEntity.Ran(11, "n", null, TaskError.of(new IllegalStateException("x")));
        ChipEntity.Ran failedBack = testKit.serializationTestKit().verifySerialization(failed, false);
        assertEquals(failed.error(), failedBack.error());
        assertEquals(11, failedBack.dispatch());
    }

    @Test
    void streamedBytesSurviveSerializationAndCanStillBeRead() throws Exception {
        ByteBuffer large = TensorTransferTest.pattern(TensorTransfer.INLINE_MAX + 3, 5);
        // The stream's end is an actor of the sending system: resolved and read there.
        TensorTransfer transfer = new TensorTransfer(testKit.system(), Duration.ofSeconds(20));
        ChipEntity.Ran ran = new ChipEntity.Ran("n", transfer.send(List.of(large), () -> { }), null);
        ChipEntity.Ran back = testKit.serializationTestKit().verifySerialization(ran, false);
        assertTrue(back.back().streamed());
        ByteBuffer read = ByteBuffer.allocate(large.capacity());
        transfer.writeWhenAllArrived(back.back(), List.of(read));
        assertArrayEquals(large.array(), read.array());
    }

    @Test
    void chipIIsEntityIInShardI() {
        ChipEntities.ChipShards shards = new ChipEntities.ChipShards();
        ChipEntity.Run run = NodeChipTest.addScalar(ShippingKernels.AddScalar.class.getName(), 1);
        ShardingEnvelope<ChipEntity.Command> e = new ShardingEnvelope<>("3", run);
        assertEquals("3", shards.entityId(e));
        assertEquals("3", shards.shardId("3"));
        assertEquals(run, shards.unwrapMessage(e));
    }

    @Test
    void registrationInClusterModeRejectsALambdaAndAcceptsANamedClass() {
        ChipKernel lambda = ctx -> { };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChipEntities.requireLoadable("k", lambda));
        assertTrue(e.getMessage().contains("'k'") && e.getMessage().contains("lambda")
                && e.getMessage().contains("strata.cluster.enabled"), e.getMessage());
        ChipEntities.requireLoadable("add", new ShippingKernels.AddScalar());
    }
}
