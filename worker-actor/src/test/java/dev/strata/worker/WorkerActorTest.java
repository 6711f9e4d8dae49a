package dev.strata.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsSnapshot;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(30)
class WorkerActorTest {
    @JUnit5TestKit
    ActorTestKit testKit = ActorTestKit.create();

    /** Records the scalar of each task it runs; throws when the scalar is negative. */
    private final CopyOnWriteArrayList<Long> ran = new CopyOnWriteArrayList<>();
    private final GroupTaskWorker recorder = (callable, args, config, groupIndex) -> {
        if (args.scalar(0) < 0) {
            throw new IllegalArgumentException("negative " + args.scalar(0));
        }
        ran.add(args.scalar(0));
    };

    private WorkerDispatch dispatch(int slot, long scalar, int epoch, int[] after, ActorRef<TaskDone> replyTo) {
        return new WorkerDispatch(slot, 0, 0, (TaskArgsSnapshot) new TaskArgs().addScalar(scalar).view(),
                CallConfig.DEFAULT, epoch, after, null, replyTo);
    }

    @Test
    void runsADispatchAndAnswersTaskDone() {
        ran.clear();
        TestProbe<TaskDone> probe = testKit.createTestProbe();
        ActorRef<WorkerActor.Command> w = testKit.spawn(WorkerActor.create(WorkerKind.SUB, 3, recorder));
        w.tell(dispatch(7, 42, 0, new int[0], probe.getRef()));
        TaskDone done = probe.receiveMessage();
        assertEquals(new TaskDone(7, 0, WorkerKind.SUB, 3, null, false, done.startNanos(), done.endNanos()), done);
        assertTrue(done.startNanos() != 0 && done.endNanos() >= done.startNanos(), done::toString);
        assertEquals(List.of(42L), ran);
    }

    @Test
    void failureIsReportedAndTheWorkerStaysUsable() {
        ran.clear();
        TestProbe<TaskDone> probe = testKit.createTestProbe();
        ActorRef<WorkerActor.Command> w = testKit.spawn(WorkerActor.create(WorkerKind.SUB, 0, recorder));
        w.tell(dispatch(1, -5, 0, new int[0], probe.getRef()));
        TaskDone failed = probe.receiveMessage();
        assertEquals(IllegalArgumentException.class.getName(), failed.error().exceptionClass());
        assertTrue(failed.error().message().contains("negative -5"));
        w.tell(dispatch(2, 9, 0, new int[0], probe.getRef()));
        assertNull(probe.receiveMessage().error());
        assertEquals(List.of(9L), ran);
    }

    @Test
    void earlyDispatchAfterAFailedPredecessorIsSkippedTransitively() {
        ran.clear();
        TestProbe<TaskDone> probe = testKit.createTestProbe();
        ActorRef<WorkerActor.Command> w = testKit.spawn(WorkerActor.create(WorkerKind.SUB, 0, recorder));
        w.tell(dispatch(1, -1, 0, new int[0], probe.getRef()));      // fails
        w.tell(dispatch(2, 2, 0, new int[] {1}, probe.getRef()));    // follows 1: skipped
        w.tell(dispatch(3, 3, 0, new int[] {2}, probe.getRef()));    // follows 2: skipped too
        w.tell(dispatch(4, 4, 0, new int[0], probe.getRef()));       // independent: runs
        assertTrue(probe.receiveMessage().error() != null);
        assertTrue(probe.receiveMessage().skipped());
        assertTrue(probe.receiveMessage().skipped());
        assertFalse(probe.receiveMessage().skipped());
        assertEquals(List.of(4L), ran);
    }

    @Test
    void failuresOfAnEarlierRunDoNotSkipTheSameSlotIdsLater() {
        ran.clear();
        TestProbe<TaskDone> probe = testKit.createTestProbe();
        ActorRef<WorkerActor.Command> w = testKit.spawn(WorkerActor.create(WorkerKind.SUB, 0, recorder));
        w.tell(dispatch(0, -1, 0, new int[0], probe.getRef()));
        probe.receiveMessage();
        w.tell(dispatch(1, 1, 1, new int[] {0}, probe.getRef())); // next epoch: slot 0 is a new task
        assertFalse(probe.receiveMessage().skipped());
        assertEquals(List.of(1L), ran);
    }

    /**
     * A pipelined worker that starts a task and leaves it open: the test ends it (as a node's answer would) through
     * its completion, which hands the end to the worker actor's thread.
     */
    private static final class OpenTasks implements PipelinedWorker {
        final java.util.concurrent.BlockingQueue<Object[]> started = new java.util.concurrent.LinkedBlockingQueue<>();
        final java.util.concurrent.atomic.AtomicInteger flushes = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void start(long callable, dev.strata.protocol.TaskArgsView args, CallConfig config, int groupIndex,
                          TaskCompletion completion) {
            started.add(new Object[] {args.scalar(0), completion});
        }

        @Override
        public void flush() {
            flushes.incrementAndGet();
        }

        @Override
        public void run(long callable, dev.strata.protocol.TaskArgsView args, CallConfig config, int groupIndex) {
            throw new AssertionError("a pipelined worker is started, not run");
        }

        /** The next started task's scalar and its completion. */
        Object[] next() throws InterruptedException {
            Object[] s = started.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(s != null, "a task was started");
            return s;
        }

        static void end(Object[] task, Throwable error) {
            TaskCompletion c = (TaskCompletion) task[1];
            c.onWorkerThread(() -> c.done(error));
        }
    }

    @Test
    void aPipelinedWorkerHasSeveralTasksInFlightAndAnEarlyDispatchWaitsForItsProducer() throws Exception {
        OpenTasks worker = new OpenTasks();
        TestProbe<TaskDone> probe = testKit.createTestProbe();
        ActorRef<WorkerActor.Command> w = testKit.spawn(WorkerActor.create(WorkerKind.CHIP, 1, worker));
        w.tell(dispatch(1, 10, 0, new int[0], probe.getRef()));
        w.tell(dispatch(2, 20, 0, new int[] {1}, probe.getRef())); // early, behind 1
        w.tell(dispatch(3, 30, 0, new int[0], probe.getRef()));
        Object[] first = worker.next();
        Object[] third = worker.next();
        assertEquals(10L, first[0]);
        assertEquals(30L, third[0], "3 started while 1 is in flight; 2 waits for 1");
        assertTrue(worker.started.isEmpty());
        OpenTasks.end(third, null);
        TaskDone done3 = probe.receiveMessage();
        assertEquals(3, done3.slot());
        assertTrue(worker.started.isEmpty(), "2 still waits for 1");
        OpenTasks.end(first, null);
        assertEquals(1, probe.receiveMessage().slot());
        Object[] second = worker.next();
        assertEquals(20L, second[0], "started once its producer ended");
        OpenTasks.end(second, new IllegalStateException("lost"));
        TaskDone failed = probe.receiveMessage();
        assertEquals(2, failed.slot());
        assertEquals(IllegalStateException.class.getName(), failed.error().exceptionClass());
        assertTrue(worker.flushes.get() >= 1, "flushed after the starts");
    }

    @Test
    void aPipelinedDispatchBehindAFailedProducerIsSkippedWithoutStarting() throws Exception {
        OpenTasks worker = new OpenTasks();
        TestProbe<TaskDone> probe = testKit.createTestProbe();
        ActorRef<WorkerActor.Command> w = testKit.spawn(WorkerActor.create(WorkerKind.CHIP, 0, worker));
        w.tell(dispatch(1, 10, 0, new int[0], probe.getRef()));
        w.tell(dispatch(2, 20, 0, new int[] {1}, probe.getRef()));
        OpenTasks.end(worker.next(), new IllegalStateException("kernel failed"));
        assertTrue(probe.receiveMessage().error() != null);
        TaskDone skipped = probe.receiveMessage();
        assertEquals(2, skipped.slot());
        assertTrue(skipped.skipped());
        assertTrue(worker.started.isEmpty(), "never started");
    }

    private WorkerDispatch faulty(int slot, long scalar, InjectedFault fault, ActorRef<TaskDone> replyTo) {
        return new WorkerDispatch(slot, 0, 0, (TaskArgsSnapshot) new TaskArgs().addScalar(scalar).view(),
                CallConfig.DEFAULT, 0, new int[0], fault, replyTo);
    }

    @Test
    void anInjectedFailureFailsTheTaskWithoutRunningItAndTheWorkerGoesOn() {
        ran.clear();
        TestProbe<TaskDone> probe = testKit.createTestProbe();
        ActorRef<WorkerActor.Command> w = testKit.spawn(WorkerActor.create(WorkerKind.SUB, 0, recorder));
        w.tell(faulty(1, 5, InjectedFault.fail("disk on fire"), probe.getRef()));
        w.tell(dispatch(2, 6, 0, new int[0], probe.getRef()));
        TaskDone failed = probe.receiveMessage();
        assertEquals(InjectedFaultException.class.getName(), failed.error().exceptionClass());
        assertEquals("injected fault: disk on fire", failed.error().message());
        assertNull(probe.receiveMessage().error());
        assertEquals(List.of(6L), ran, "the faulty task's callable never ran");
    }

    @Test
    void anInjectedDelayHoldsTheTaskThenRunsIt() {
        ran.clear();
        TestProbe<TaskDone> probe = testKit.createTestProbe();
        ActorRef<WorkerActor.Command> w = testKit.spawn(WorkerActor.create(WorkerKind.SUB, 0, recorder));
        long sent = System.nanoTime();
        w.tell(faulty(1, 7, InjectedFault.delay(java.time.Duration.ofMillis(150)), probe.getRef()));
        TaskDone done = probe.receiveMessage();
        assertNull(done.error());
        assertTrue(done.startNanos() - sent >= 150_000_000L, "started after the delay: " + done);
        assertEquals(List.of(7L), ran);
    }

    @Test
    void aPipelinedWorkerStartsADelayedTaskLaterWithoutHoldingTheOthers() throws Exception {
        OpenTasks worker = new OpenTasks();
        TestProbe<TaskDone> probe = testKit.createTestProbe();
        ActorRef<WorkerActor.Command> w = testKit.spawn(WorkerActor.create(WorkerKind.CHIP, 0, worker));
        long sent = System.nanoTime();
        w.tell(faulty(1, 10, InjectedFault.delay(java.time.Duration.ofMillis(150)), probe.getRef()));
        w.tell(dispatch(2, 20, 0, new int[0], probe.getRef()));
        w.tell(faulty(3, 30, InjectedFault.fail("no"), probe.getRef()));
        assertEquals(20L, worker.next()[0], "the undelayed task starts first");
        TaskDone failed = probe.receiveMessage();
        assertEquals(3, failed.slot());
        assertEquals("injected fault: no", failed.error().message());
        Object[] delayed = worker.next();
        assertEquals(10L, delayed[0]);
        assertTrue(System.nanoTime() - sent >= 150_000_000L, "started after its delay");
        assertTrue(worker.started.isEmpty(), "the failed task never started");
    }
}
