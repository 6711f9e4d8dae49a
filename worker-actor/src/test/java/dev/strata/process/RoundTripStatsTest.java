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
    void bucketsAreContiguousAndMonotonic() {
        for (long v = 0; v < 1 << 20; v += 7) {
            int i = RoundTripStats.index(v);
            assertTrue(RoundTripStats.lowerBound(i) <= v && v < RoundTripStats.lowerBound(i + 1), "value " + v);
        }
        assertTrue(RoundTripStats.index(Long.MAX_VALUE) < 1000);
    }

    private static void assertWithin(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected / 16 + 1, "expected ~" + expected + ", got " + actual);
    }
}
