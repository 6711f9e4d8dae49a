package dev.strata.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SchedulerInboxTest {

    @Test
    void onlyTheFirstCommandOfABurstAsksForADrainAndOrderIsKept() {
        SchedulerInbox inbox = new SchedulerInbox();
        SchedulerActor.AllocSlot a = new SchedulerActor.AllocSlot(1);
        SchedulerActor.ScopeEnd b = new SchedulerActor.ScopeEnd(new int[] {1});
        assertTrue(inbox.offer(a), "nothing due yet: the sender must tell Drain");
        assertFalse(inbox.offer(b), "a drain is due: it will take this one too");
        assertSame(a, inbox.poll());
        assertSame(b, inbox.poll());
        assertNull(inbox.poll());
        assertFalse(inbox.drained(), "emptied: no further drain needed");
        assertTrue(inbox.offer(a), "after the drain the next command asks again");
    }

    @Test
    void aCommandThatSlipsInBeforeTheFlagIsClearedGetsADrainFromTheScheduler() {
        SchedulerInbox inbox = new SchedulerInbox();
        assertTrue(inbox.offer(new SchedulerActor.AllocSlot(1)));
        inbox.poll();
        assertFalse(inbox.offer(new SchedulerActor.AllocSlot(2)), "still due: the sender does not tell");
        assertTrue(inbox.drained(), "so the scheduler must send itself another Drain");
        assertFalse(inbox.offer(new SchedulerActor.AllocSlot(3)), "which is due now");
        assertFalse(inbox.isEmpty());
    }

    /**
     * A sender and a draining scheduler race; every command is taken exactly once, in order, and none is left
     * in the inbox without a drain due (the sender's or the scheduler's own).
     */
    @Test
    void noCommandIsStrandedUnderARace() throws Exception {
        SchedulerInbox inbox = new SchedulerInbox();
        int n = 200_000;
        AtomicInteger drainsDue = new AtomicInteger();
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < n; i++) {
                if (inbox.offer(new SchedulerActor.AllocSlot(i))) {
                    drainsDue.incrementAndGet();
                }
            }
        });
        int next = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (next < n && System.nanoTime() < deadline) {
            if (drainsDue.get() == 0) {
                Thread.onSpinWait();
                continue;
            }
            drainsDue.decrementAndGet(); // handle one Drain
            SchedulerActor.Command c;
            while ((c = inbox.poll()) != null) {
                assertEquals(next++, ((SchedulerActor.AllocSlot) c).slot(), "in order, each once");
            }
            if (inbox.drained()) {
                drainsDue.incrementAndGet(); // sent to self
            }
        }
        sender.get(20, TimeUnit.SECONDS);
        assertEquals(n, next, "every command was taken by a drain");
        assertTrue(inbox.isEmpty());
    }
}
