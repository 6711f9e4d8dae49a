package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PendingDispatchesTest {
    private static final String A = "pekko://strata@127.0.0.1:25521";
    private static final String B = "pekko://strata@127.0.0.1:25522";
    private static final Set<String> WORKER = Set.of(MemberConfig.WORKER_ROLE);
    private final AtomicLong now = new AtomicLong(1_000);
    private final PendingDispatches pending = new PendingDispatches(Duration.ofSeconds(10), now::get);

    private static ChipEntity.Ran ran(long dispatch, String node) {
        return new ChipEntity.Ran(dispatch, node, new TensorBytes(0, new byte[0], null), null);
    }

    private static Throwable failure(CompletableFuture<ChipEntity.Ran> f) {
        assertTrue(f.isCompletedExceptionally(), "failed");
        try {
            f.get();
            throw new AssertionError("not failed");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aChipWhoseNodeWasRemovedIsDisplacedUntilItAnswersAgain() {
        PendingDispatches.Dispatch first = pending.open(0);
        pending.answered(first.id(), ran(first.id(), A));
        PendingDispatches.Dispatch other = pending.open(1);
        pending.answered(other.id(), ran(other.id(), B));
        assertFalse(pending.displaced(0), "its node is known and alive");
        assertEquals(0, pending.removed(A), "nothing pending there");
        assertTrue(pending.displaced(0), "its next message may take the dead node's stale route");
        assertFalse(pending.displaced(1), "chip 1 was on the other node");
        assertFalse(pending.displaced(2), "a chip that never answered was never placed by us");
        PendingDispatches.Dispatch moved = pending.open(0);
        pending.answered(moved.id(), ran(moved.id(), B));
        assertFalse(pending.displaced(0), "answered from its new node");
        assertEquals(B, pending.nodeOf(0));
    }

    @Test
    void anAnswerCompletesItsDispatchOnceAndALateOrRepeatedAnswerIsIgnored() throws Exception {
        PendingDispatches.Dispatch d = pending.open(0);
        PendingDispatches.Dispatch given = pending.open(1);
        assertTrue(d.id() != given.id(), "ids are unique");
        ChipEntity.Ran answer = ran(d.id(), A);
        assertTrue(pending.answered(d.id(), answer));
        assertSame(answer, d.answer().get());
        assertFalse(pending.answered(d.id(), ran(d.id(), A)), "a second answer of the same dispatch");
        pending.close(given.id()); // given up (task-timeout)
        assertFalse(pending.answered(given.id(), ran(given.id(), B)), "the late answer of a given-up dispatch");
        assertFalse(given.answer().isDone(), "nothing applied");
        assertEquals(2, pending.lateAnswers());
        assertEquals(0, pending.pendingCount());
        assertEquals(A, pending.nodeOf(0), "a chip's node is learnt from its answers");
        assertNull(pending.nodeOf(1), "not from an ignored one");
    }

    @Test
    void anExpiredDispatchEndsWithoutAnswerAndItsLateAnswerIsIgnored() throws Exception {
        PendingDispatches.Dispatch d = pending.open(0);
        assertTrue(pending.expire(d.id()));
        assertTrue(d.answer().isDone());
        assertNull(d.answer().get(), "no answer: the time is up");
        assertEquals(0, pending.pendingCount());
        assertFalse(pending.answered(d.id(), ran(d.id(), A)), "late");
        assertEquals(1, pending.lateAnswers());
        assertFalse(pending.expire(d.id()), "ended already");
    }

    @Test
    void aRemovedNodeFailsOnlyItsChipsDispatchesAndThoseOfChipsNotYetPlaced() {
        pending.onMember(A, WORKER, true);
        pending.onMember(B, WORKER, true);
        pending.answered(pending.open(0).id(), ran(0, A));
        pending.answered(pending.open(1).id(), ran(0, B));
        pending.answered(pending.open(0).id(), ran(0, A)); // learns chip 0 on A, chip 1 on B
        PendingDispatches.Dispatch onA = pending.open(0);
        PendingDispatches.Dispatch onB = pending.open(1);
        PendingDispatches.Dispatch unknown = pending.open(2);

        assertEquals(2, pending.removed(B));
        NodeLostException lost = assertInstanceOf(NodeLostException.class, failure(onB.answer()));
        assertEquals(B, lost.node());
        assertTrue(lost.getMessage().contains("lost with worker node " + B), lost.getMessage());
        NodeLostException maybe = assertInstanceOf(NodeLostException.class, failure(unknown.answer()));
        assertTrue(maybe.getMessage().contains("chip 2 had not answered yet"), maybe.getMessage());
        assertFalse(onA.answer().isDone(), "chip 0 lives on A");
        assertEquals(1, pending.pendingCount());
        assertNull(pending.nodeOf(1), "chip 1 moves elsewhere");
        assertEquals(A, pending.nodeOf(0));
        assertEquals(1, pending.reachableWorkerNodes());
        assertEquals(0, pending.removed(B), "a second removal finds nothing");
    }

    @Test
    void withoutAReachableWorkerNodeForTheTimeoutEveryPendingDispatchFails() {
        pending.onMember(A, WORKER, true);
        PendingDispatches.Dispatch d = pending.open(0);
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertEquals(0, pending.expireWithoutWorkers(), "a reachable worker node: waiting is fine");
        pending.onReachability(A, WORKER, false);
        assertEquals(0, pending.reachableWorkerNodes());
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertEquals(0, pending.expireWithoutWorkers(), "counted from when the last node became unreachable");
        pending.onReachability(A, WORKER, true);
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        pending.onReachability(A, WORKER, false); // the clock starts again
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertEquals(0, pending.expireWithoutWorkers());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(1, pending.expireWithoutWorkers());
        NoWorkerNodeException e = assertInstanceOf(NoWorkerNodeException.class, failure(d.answer()));
        assertTrue(e.getMessage().contains("no worker node reachable for 10 s")
                && e.getMessage().contains("strata.cluster.no-worker-timeout")
                && e.getMessage().contains("unreachable: " + A), e.getMessage());
        assertEquals(0, pending.pendingCount());
    }

    @Test
    void theNoWorkerClockStartsNoEarlierThanTheOldestDispatch() {
        now.addAndGet(Duration.ofMinutes(5).toNanos()); // no worker node ever, but no task waited either
        assertEquals(0, pending.expireWithoutWorkers(), "nothing pending");
        PendingDispatches.Dispatch d = pending.open(3);
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertEquals(0, pending.expireWithoutWorkers());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(1, pending.expireWithoutWorkers());
        assertTrue(failure(d.answer()).getMessage().contains("no worker node is up"), "says none is up");
    }

    @Test
    void aRemovedUnreachableNodeDoesNotRestartTheNoWorkerClock() {
        pending.onMember(A, WORKER, true);
        pending.onMember(B, WORKER, true);
        pending.answered(pending.open(1).id(), ran(0, B));
        PendingDispatches.Dispatch d = pending.open(1);
        pending.onReachability(A, WORKER, false);
        pending.onReachability(B, WORKER, false);
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        pending.onMember(A, WORKER, false); // downed
        assertEquals(0, pending.removed(A), "chip 1 is on B");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(1, pending.expireWithoutWorkers(), "10 s since the last reachable node went");
        assertInstanceOf(NoWorkerNodeException.class, failure(d.answer()));
    }

    @Test
    void openAndAnswerFromManyThreads() throws Exception {
        int threads = 4;
        int each = 2_000;
        List<Thread> all = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int chip = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    PendingDispatches.Dispatch d = pending.open(chip);
                    pending.answered(d.id(), ran(d.id(), A));
                    d.answer().join();
                }
            });
            th.start();
            all.add(th);
        }
        for (Thread th : all) {
            th.join(20_000);
        }
        assertEquals(0, pending.pendingCount());
        assertEquals(0, pending.lateAnswers());
    }
}
