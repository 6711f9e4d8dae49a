package dev.strata.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SlotWindowTest {

    @Test
    void fullAtTheLimitAndRoomAgainAfterAnyRelease() {
        SlotWindow w = new SlotWindow(3);
        assertEquals(0, w.take());
        assertEquals(1, w.take());
        assertEquals(2, w.take());
        assertTrue(w.full());
        w.release(1); // out of order: the window counts live slots, not the span
        assertFalse(w.full());
        assertEquals(3, w.take());
        assertTrue(w.full());
        assertTrue(w.checkInvariants());
    }

    @Test
    void aLongLivedOldSlotWidensTheSpanButNotTheLiveCount() {
        SlotWindow w = new SlotWindow(4);
        int old = w.take();
        for (int i = 0; i < 10_000; i++) {
            w.release(w.take());
            assertEquals(1, w.live(), "only the old slot stays live");
        }
        assertEquals(old, w.oldest());
        assertTrue(w.isLive(old));
        assertTrue(w.isReleased(5_000));
        assertFalse(w.isReleased(old));
        assertTrue(w.checkInvariants());
        w.release(old);
        assertEquals(w.next(), w.oldest());
        assertTrue(w.isReleased(old), "below oldest means released");
    }

    @Test
    void releaseOfASlotThatIsNotLiveIsRejected() {
        SlotWindow w = new SlotWindow(8);
        int s = w.take();
        assertThrows(IllegalArgumentException.class, () -> w.release(s + 1));
        w.release(s);
        IllegalArgumentException again = assertThrows(IllegalArgumentException.class, () -> w.release(s));
        assertTrue(again.getMessage().contains("already released"), again.getMessage());
    }

    @Test
    void failedSlotsAreRememberedUntilReset() {
        SlotWindow w = new SlotWindow(8);
        int s = w.take();
        w.markFailed(s);
        w.release(s);
        assertTrue(w.releasedFailed(s));
        w.reset();
        assertFalse(w.releasedFailed(s));
        assertEquals(0, w.take(), "ids restart at 0");
    }

    @Test
    void resetWithALiveSlotIsRejected() {
        SlotWindow w = new SlotWindow(8);
        w.take();
        assertThrows(IllegalStateException.class, w::reset);
    }

    @Test
    void slotIdsRunOutAtIntegerMaxValue() {
        SlotWindow w = new SlotWindow(8);
        w.startAt(Integer.MAX_VALUE - 1);
        assertEquals(Integer.MAX_VALUE - 1, w.take());
        assertThrows(IllegalStateException.class, w::take);
    }
}
