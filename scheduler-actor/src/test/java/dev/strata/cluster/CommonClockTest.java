package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.trace.RunTrace;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommonClockTest {
    @Test
    void aTraceSentOnTheCommonClockComesBackOnThisJvmsClock() {
        long now = System.nanoTime();
        RunTrace trace = new RunTrace("engine 0", 1, now, now + 1_000, List.of("chip 0"), 0, 0, 0, List.of());
        RunTrace common = CommonClock.toCommon(trace);
        long epochNanos = System.currentTimeMillis() * 1_000_000L;
        assertTrue(Math.abs(common.startNanos() - epochNanos) < TimeUnit.SECONDS.toNanos(1),
                "epoch nanoseconds: " + common.startNanos() + " vs " + epochNanos);
        RunTrace back = CommonClock.toLocal(common);
        assertTrue(Math.abs(back.startNanos() - now) < TimeUnit.MILLISECONDS.toNanos(1),
                "back within a millisecond (two readings of the offset): " + (back.startNanos() - now));
        assertEquals(1_000, back.endNanos() - back.startNanos(), "durations are kept exactly");
    }
}
