package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import dev.strata.protocol.TaskError;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The delivery actor's shell on a cluster member of its own (never joined, so no worker node is ever up), every
 * message serialized: answers reach their dispatch, a late one is only counted, the tick applies the no-worker
 * timeout. Node removal is {@link PendingDispatchesTest}'s and the multi-node tests' (node module).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class DispatchDeliveryTest {
    private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
                    + "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"\n"
                    + "pekko.remote.artery.canonical.port = 0\n")
            .withFallback(ConfigFactory.load("application-test")));

    @AfterAll
    void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void anAnswerCompletesItsDispatchAndALateOneIsOnlyCounted() throws Exception {
        PendingDispatches pending = new PendingDispatches(Duration.ofMinutes(10));
        ActorRef<ChipEntity.Ran> delivery = testKit.spawn(DispatchDelivery.create(pending, Duration.ofMinutes(10), NodeChipTest.TRANSFER))
                .narrow();
        PendingDispatches.Dispatch d = pending.open(0);
        ChipEntity.Ran ran = new ChipEntity.Ran(d.id(), "pekko://strata@127.0.0.1:1", new TensorBytes(0, new byte[0], null), null);
        delivery.tell(ran);
        ChipEntity.Ran got = d.answer().get(30, TimeUnit.SECONDS);
        assertEquals(d.id(), got.dispatch());
        assertEquals(ran.node(), got.node());
        delivery.tell(ran); // again: no longer pending
        PendingDispatches.Dispatch after = pending.open(1);
        delivery.tell(new ChipEntity.Ran(after.id(), "n", new TensorBytes(0, new byte[0], null), null));
        after.answer().get(30, TimeUnit.SECONDS); // the actor handles its mailbox in order: the repeat came first
        assertEquals(1, pending.lateAnswers());
    }

    @Test
    void aBatchOfAnswersCompletesEachDispatchAndOneThatDoesNotDecodeIsIgnored() throws Exception {
        PendingDispatches pending = new PendingDispatches(Duration.ofMinutes(10));
        ActorRef<ChipEntity.RanBatch> delivery = testKit.spawn(DispatchDelivery.create(pending,
                Duration.ofMinutes(10), NodeChipTest.TRANSFER)).narrow();
        delivery.tell(new ChipEntity.RanBatch("n", new byte[] {0, 0, 0, 9}, java.util.List.of(),
                java.util.List.of()));
        PendingDispatches.Dispatch a = pending.open(0);
        PendingDispatches.Dispatch b = pending.open(1);
        delivery.tell(ChipEntity.RanBatch.of(java.util.List.of(
                new ChipEntity.Ran(a.id(), "n", TensorBytes.NONE, null),
                new ChipEntity.Ran(b.id(), "n", null, TaskError.of(new IllegalStateException("k"))))));
        assertEquals(a.id(), a.answer().get(30, TimeUnit.SECONDS).dispatch());
        assertEquals("k", b.answer().get(30, TimeUnit.SECONDS).error().message());
    }

    @Test
    void theTickFailsWaitingDispatchesWhenNoWorkerNodeWasReachableForTheTimeout() {
        PendingDispatches pending = new PendingDispatches(Duration.ofMillis(100));
        testKit.spawn(DispatchDelivery.create(pending, Duration.ofMillis(100), NodeChipTest.TRANSFER));
        PendingDispatches.Dispatch d = pending.open(0);
        ExecutionException e = assertThrows(ExecutionException.class, () -> d.answer().get(30, TimeUnit.SECONDS));
        assertInstanceOf(NoWorkerNodeException.class, e.getCause());
        assertEquals(0, pending.pendingCount());
    }
}
