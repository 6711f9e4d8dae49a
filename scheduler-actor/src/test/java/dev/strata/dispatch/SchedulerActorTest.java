package dev.strata.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.ring.HeapRing;
import dev.strata.ring.RingLock;
import dev.strata.worker.TaskDone;
import dev.strata.worker.WorkerActor;
import dev.strata.worker.WorkerDispatch;
import dev.strata.worker.WorkerKind;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The scheduler with {@link TestProbe}s standing in for workers, releasing to a real {@link HeapRing}. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(30)
class SchedulerActorTest {
    @JUnit5TestKit
    ActorTestKit testKit = ActorTestKit.create();

    private final Duration quiet = Duration.ofMillis(100);

    private final class Setup {
        final List<TestProbe<WorkerActor.Command>> subs;
        final HeapRing ring = new HeapRing(0, 1 << 20);
        final ActorRef<SchedulerActor.Command> scheduler;
        final SchedulerInbox inbox; // null: the orchestrator's commands go as messages

        Setup(int subWorkers, int queueDepth) {
            this(subWorkers, queueDepth, false);
        }

        Setup(int subWorkers, int queueDepth, boolean viaInbox) {
            subs = new java.util.ArrayList<>();
            for (int i = 0; i < subWorkers; i++) {
                subs.add(testKit.createTestProbe());
            }
            Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> refs = new EnumMap<>(WorkerKind.class);
            refs.put(WorkerKind.SUB, subs.stream().map(TestProbe::getRef).toList());
            refs.put(WorkerKind.CHIP, List.of());
            inbox = viaInbox ? new SchedulerInbox() : null;
            scheduler = testKit.spawn(viaInbox
                    ? SchedulerActor.create(refs, queueDepth, List.of(), ring, new dev.strata.metrics.ProgressCounters(),
                            new dev.strata.metrics.TaskLatencies(), false, false, null, inbox)
                    : SchedulerActor.create(refs, queueDepth, List.of(), ring));
        }

        /** An orchestrator command, as the engine sends it (through the inbox) or as a message. */
        void send(SchedulerActor.Command c) {
            if (inbox == null) {
                scheduler.tell(c);
            } else if (inbox.offer(c)) {
                scheduler.tell(SchedulerActor.Drain.INSTANCE);
            }
        }

        void submit(int slot, int width, int... producers) {
            assertEquals(slot, ring.allocate(0, Duration.ZERO).slot(), "test slots follow the ring's ids");
            send(new SchedulerActor.Submit(slot, WorkerKind.SUB, 0,
                    Collections.nCopies(width, TaskArgsSnapshot.EMPTY), CallConfig.DEFAULT, producers));
        }

        WorkerDispatch expectDispatch(int worker) {
            return subs.get(worker).expectMessageClass(WorkerDispatch.class);
        }

        void done(WorkerDispatch d, int worker, TaskError error) {
            d.replyTo().tell(new TaskDone(d.slot(), d.groupIndex(), WorkerKind.SUB, worker, error, false));
        }

        /** Waits until the scheduler released every slot to the ring. */
        void awaitReleased() throws InterruptedException {
            assertTrue(ring.awaitDrained(Duration.ofSeconds(10)), "every slot released: " + ring);
        }

        SchedulerActor.RunOutcome finish() {
            TestProbe<SchedulerActor.RunOutcome> probe = testKit.createTestProbe();
            scheduler.tell(new SchedulerActor.FinishRun(probe.getRef()));
            return probe.receiveMessage();
        }
    }

    @Test
    void independentTaskIsDispatchedAndConsumed() throws Exception {
        Setup s = new Setup(1, 1);
        s.submit(0, 1);
        WorkerDispatch d = s.expectDispatch(0);
        assertEquals(0, d.slot());
        s.done(d, 0, null);
        assertEquals(1, s.ring.liveSlots(), "the scope still holds it");
        s.scheduler.tell(new SchedulerActor.ScopeEnd(new int[] {0}));
        s.awaitReleased();
        assertFalse(s.ring.isLiveOrFailed(0), "released as a success");
        assertEquals(1, s.finish().completedTasks());
    }

    @Test
    void aBurstThroughTheInboxIsDispatchedInOrderAndReleased() throws Exception {
        Setup s = new Setup(1, 1, true);
        int n = 3 * SchedulerActor.DRAIN_BATCH + 5; // several drains
        for (int slot = 0; slot < n; slot++) {
            s.submit(slot, 1);
        }
        int[] all = new int[n];
        for (int slot = 0; slot < n; slot++) {
            WorkerDispatch d = s.expectDispatch(0);
            assertEquals(slot, d.slot(), "submit order");
            s.done(d, 0, null);
            all[slot] = slot;
        }
        s.send(new SchedulerActor.ScopeEnd(all));
        s.awaitReleased();
        assertEquals(n, s.finish().completedTasks());
        assertTrue(s.inbox.isEmpty());
    }

    @Test
    void anIdleWorkerGetsTheFirstTaskOfABurstBeforeTheRestIsWired() throws Exception {
        TestProbe<WorkerActor.Command> sub = testKit.createTestProbe();
        Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> refs = new EnumMap<>(WorkerKind.class);
        refs.put(WorkerKind.SUB, List.of(sub.getRef()));
        refs.put(WorkerKind.CHIP, List.of());
        HeapRing ring = new HeapRing(0, 1 << 20);
        SchedulerInbox inbox = new SchedulerInbox();
        ActorRef<SchedulerActor.Command> scheduler = testKit.spawn(SchedulerActor.create(refs, 1, List.of(), ring,
                new dev.strata.metrics.ProgressCounters(), new dev.strata.metrics.TaskLatencies(), true, false, null,
                inbox));
        int n = SchedulerActor.DRAIN_BATCH; // one drain takes them all: queued before the scheduler looks
        for (int slot = 0; slot < n; slot++) {
            assertEquals(slot, ring.allocate(0, Duration.ZERO).slot());
            inbox.offer(new SchedulerActor.Submit(slot, WorkerKind.SUB, 0, List.of(TaskArgsSnapshot.EMPTY),
                    CallConfig.DEFAULT, new int[0], System.nanoTime()));
        }
        scheduler.tell(SchedulerActor.Drain.INSTANCE);
        int[] all = new int[n];
        for (int slot = 0; slot < n; slot++) {
            WorkerDispatch d = sub.expectMessageClass(WorkerDispatch.class);
            assertEquals(slot, d.slot());
            d.replyTo().tell(new TaskDone(d.slot(), 0, WorkerKind.SUB, 0, null, false, System.nanoTime(),
                    System.nanoTime()));
            all[slot] = slot;
        }
        scheduler.tell(new SchedulerActor.ScopeEnd(all));
        assertTrue(ring.awaitDrained(Duration.ofSeconds(10)), "every slot released: " + ring);
        TestProbe<SchedulerActor.RunOutcome> outcome = testKit.createTestProbe();
        scheduler.tell(new SchedulerActor.FinishRun(outcome.getRef()));
        List<dev.strata.trace.TaskTrace> trace = outcome.receiveMessage().trace();
        long firstDispatched = trace.stream().filter(t -> t.slot() == 0).findFirst().orElseThrow().dispatchNanos();
        long lastReady = trace.stream().filter(t -> t.slot() == n - 1).findFirst().orElseThrow().readyNanos();
        assertTrue(firstDispatched < lastReady, "slot 0 went out before the last slot of the burst was wired");
    }

    @Test
    void allocAndScopeEndThroughTheInboxKeepTheirOrderWithSubmits() throws Exception {
        Setup s = new Setup(1, 1, true);
        assertEquals(0, s.ring.allocate(0, Duration.ZERO).slot());
        s.send(new SchedulerActor.AllocSlot(0));
        s.submit(1, 1, 0); // reads the allocated tensor: completed already, so ready at once
        WorkerDispatch d = s.expectDispatch(0);
        assertEquals(1, d.slot());
        s.done(d, 0, null);
        s.send(new SchedulerActor.ScopeEnd(new int[] {0, 1}));
        s.awaitReleased();
        assertEquals(1, s.finish().completedTasks());
    }

    @Test
    void dependentIsDispatchedOnlyAfterItsProducer() {
        Setup s = new Setup(2, 1);
        s.submit(0, 1);
        s.submit(1, 1, 0);
        WorkerDispatch producer = s.expectDispatch(0);
        s.subs.get(0).expectNoMessage(quiet);
        s.subs.get(1).expectNoMessage(Duration.ZERO);
        s.done(producer, 0, null);
        WorkerDispatch consumer = s.subs.get(1).expectMessageClass(WorkerDispatch.class);
        assertEquals(1, consumer.slot());
        assertEquals(0, consumer.after().length, "dispatched when ready: nothing to follow");
    }

    @Test
    void dependentOfATaskOnABusyWorkerIsQueuedBehindItThere() throws Exception {
        Setup s = new Setup(2, 2);
        s.submit(0, 1);
        s.submit(1, 1, 0);
        s.submit(2, 1, 1);
        WorkerDispatch producer = s.expectDispatch(0);
        WorkerDispatch consumer = s.expectDispatch(0);
        assertEquals(1, consumer.slot());
        assertArrayEquals(new int[] {0}, consumer.after(), "sent early, to run after slot 0 on the same worker");
        s.subs.get(0).expectNoMessage(quiet); // slot 2 waits for room on worker 0, not for a free worker 1
        s.subs.get(1).expectNoMessage(Duration.ZERO);
        s.done(producer, 0, null);
        WorkerDispatch third = s.expectDispatch(0);
        assertEquals(2, third.slot());
        assertArrayEquals(new int[] {1}, third.after());
        s.done(consumer, 0, null);
        s.done(third, 0, null);
        s.scheduler.tell(new SchedulerActor.ScopeEnd(new int[] {0, 1, 2}));
        s.awaitReleased();
        assertEquals(3, s.finish().completedTasks());
    }

    @Test
    void earlyDispatchSkippedByItsWorkerCompletesAsSkipped() throws Exception {
        Setup s = new Setup(1, 2);
        s.submit(0, 1);
        s.submit(1, 1, 0);
        WorkerDispatch producer = s.expectDispatch(0);
        WorkerDispatch consumer = s.expectDispatch(0);
        s.done(producer, 0, TaskError.of(new IllegalStateException("boom")));
        consumer.replyTo().tell(new TaskDone(consumer.slot(), 0, WorkerKind.SUB, 0, null, true));
        s.scheduler.tell(new SchedulerActor.ScopeEnd(new int[] {0, 1}));
        s.awaitReleased();
        assertTrue(s.ring.releasedFailed(0) && s.ring.releasedFailed(1), "the ring remembers both for the run");
        SchedulerActor.RunOutcome outcome = s.finish();
        assertEquals(1, outcome.failures().size());
        assertEquals(1, outcome.skippedTasks());
    }

    @Test
    void groupDispatchesToNWorkersAndCompletesOnlyWhenAllAreDone() {
        Setup s = new Setup(3, 1);
        s.submit(0, 3);
        s.submit(1, 1, 0);
        WorkerDispatch[] members = new WorkerDispatch[3];
        for (int w = 0; w < 3; w++) {
            members[w] = s.expectDispatch(w);
            assertEquals(0, members[w].slot());
        }
        assertNotEquals(members[0].groupIndex(), members[1].groupIndex());
        s.done(members[0], 0, null);
        s.done(members[1], 1, null);
        for (TestProbe<WorkerActor.Command> p : s.subs) {
            p.expectNoMessage(quiet);
        }
        s.done(members[2], 2, null);
        WorkerDispatch next = s.subs.get(0).expectMessageClass(WorkerDispatch.class);
        assertEquals(1, next.slot());
    }

    @Test
    void groupInADependencyChain() {
        Setup s = new Setup(2, 1);
        s.submit(0, 1);
        s.submit(1, 2, 0);
        s.submit(2, 1, 1);
        s.done(s.expectDispatch(0), 0, null);
        WorkerDispatch a = s.expectDispatch(0);
        WorkerDispatch b = s.expectDispatch(1);
        assertEquals(1, a.slot());
        assertEquals(1, b.slot());
        assertEquals(1, a.groupIndex() + b.groupIndex(), "members 0 and 1 on distinct workers");
        s.done(b, 1, null);
        s.subs.get(0).expectNoMessage(quiet);
        s.subs.get(1).expectNoMessage(Duration.ZERO);
        s.done(a, 0, null);
        // Both workers are idle again; the tie rotates, so look at whichever got it.
        WorkerDispatch last = s.subs.get(1).expectMessageClass(WorkerDispatch.class);
        assertEquals(2, last.slot());
    }

    @Test
    void failureIsReportedAndItsDependentIsSkipped() throws Exception {
        Setup s = new Setup(1, 1);
        s.submit(0, 1);
        s.submit(1, 1, 0);
        s.submit(2, 1);
        s.done(s.expectDispatch(0), 0, TaskError.of(new IllegalStateException("boom")));
        WorkerDispatch independent = s.expectDispatch(0);
        assertEquals(2, independent.slot(), "slot 1 depends on the failed slot 0 and is skipped");
        s.done(independent, 0, null);
        s.scheduler.tell(new SchedulerActor.ScopeEnd(new int[] {0, 1, 2}));
        s.awaitReleased();
        assertTrue(s.ring.releasedFailed(0), "failed");
        assertTrue(s.ring.releasedFailed(1), "skipped");
        assertFalse(s.ring.releasedFailed(2), "independent and fine");
        SchedulerActor.RunOutcome outcome = s.finish();
        assertEquals(1, outcome.failures().size());
        assertEquals("sub#0", outcome.failures().get(0).callableName());
        assertEquals("boom", outcome.failures().get(0).error().message());
        assertEquals(1, outcome.skippedTasks());
    }

    @Test
    void readerOfAFailedProducerReleasedEarlierIsSkipped() throws Exception {
        Setup s = new Setup(1, 1);
        s.submit(0, 1);
        s.done(s.expectDispatch(0), 0, TaskError.of(new IllegalStateException("boom")));
        s.scheduler.tell(new SchedulerActor.ScopeEnd(new int[] {0}));
        s.awaitReleased(); // the graph forgot slot 0; only the ring knows it failed
        s.submit(1, 1, 0);
        s.subs.get(0).expectNoMessage(quiet);
        s.scheduler.tell(new SchedulerActor.ScopeEnd(new int[] {1}));
        s.awaitReleased();
        assertTrue(s.ring.releasedFailed(1), "skipped, and remembered as such");
        assertEquals(1, s.finish().skippedTasks());
    }

    @Test
    void consumedSlotsWaitForABusyRingAndAFailedOneStillSkipsItsLateReader() throws Exception {
        Setup s = new Setup(1, 1);
        s.submit(0, 1);
        assertEquals(1, s.ring.allocate(0, Duration.ZERO).slot()); // before the lock is taken below
        s.done(s.expectDispatch(0), 0, TaskError.of(new IllegalStateException("boom")));
        try (RingLock busy = RingLock.hold(s.ring)) {
            // The scheduler cannot release slot 0 now; it must not lose it, nor forget that it failed.
            s.scheduler.tell(new SchedulerActor.ScopeEnd(new int[] {0}));
            s.scheduler.tell(new SchedulerActor.Submit(1, WorkerKind.SUB, 0, List.of(TaskArgsSnapshot.EMPTY),
                    CallConfig.DEFAULT, new int[] {0}));
            s.subs.get(0).expectNoMessage(quiet); // (the ring cannot be asked here: its lock is held)
        }
        s.subs.get(0).expectNoMessage(quiet); // slot 1 reads the failed slot 0: skipped, never dispatched
        s.scheduler.tell(new SchedulerActor.ScopeEnd(new int[] {1}));
        s.awaitReleased();
        assertTrue(s.ring.releasedFailed(0) && s.ring.releasedFailed(1));
        assertEquals(1, s.finish().skippedTasks());
    }

    @Test
    void busyWorkerHoldsABoundedQueue() {
        Setup s = new Setup(1, 2);
        for (int i = 0; i < 4; i++) {
            s.submit(i, 1);
        }
        WorkerDispatch first = s.expectDispatch(0);
        s.expectDispatch(0);
        s.subs.get(0).expectNoMessage(quiet);
        s.done(first, 0, null);
        assertEquals(2, s.expectDispatch(0).slot());
    }
}
