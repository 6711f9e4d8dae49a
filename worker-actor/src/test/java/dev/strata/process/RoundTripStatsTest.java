package dev.strata.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RoundTripStatsTest {

    @Test
    void emptyHistogramReportsZero() {
        assertEquals(0, new RoundTripStats().percentile(0.5));
    }

    @Test
    void percentilesAreWithinOneBucket() {
        RoundTripStats s = new RoundTripStats();
        for (int i = 1; i <= 1000; i++) {
            s.record(i * 1000L); // 1..1000 us
        }
        assertEquals(1000, s.count());
        assertWithin(500_000, s.percentile(0.5));
        assertWithin(990_000, s.percentile(0.99));
        assertWithin(1_000_000, s.percentile(1.0));
        s.reset();
        assertEquals(0, s.count());
    }

    @Test
    void negativeRoundTripsCountAsZeroAndBadFractionsAreRejected() {
        RoundTripStats s = new RoundTripStats();
        s.record(-5);
        assertEquals(1, s.count());
        assertEquals(0, s.percentile(1.0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> s.percentile(1.5));
    }

    @Test
    void recordingFromManyThreadsLosesNothing() throws Exception {
        RoundTripStats s = new RoundTripStats();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    s.record(1_000 + i);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(5_000);
        }
        assertEquals(40_000, s.count());
    }

    private static void assertWithin(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected / 500 + 1, "expected ~" + expected + ", got " + actual);
    }
}
