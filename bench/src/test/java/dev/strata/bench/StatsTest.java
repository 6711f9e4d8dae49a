package dev.strata.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class StatsTest {

    @Test
    void medianOfOddAndEvenSamplesIgnoresOrder() {
        assertEquals(3, Stats.of(5, 1, 3).median());
        assertEquals(2.5, Stats.of(4, 1, 3, 2).median());
        assertEquals(7, Stats.of(7).median());
    }

    @Test
    void minAndMaxAreTheExtremes() {
        Stats s = Stats.of(3, -1, 9, 4);
        assertEquals(-1, s.min());
        assertEquals(9, s.max());
        assertEquals(s.min(), s.percentile(0));
        assertEquals(s.max(), s.percentile(100));
    }

    @Test
    void percentilesInterpolateBetweenClosestRanks() {
        double[] hundredAndOne = new double[101];
        for (int i = 0; i <= 100; i++) {
            hundredAndOne[100 - i] = i;   // 0..100, reversed
        }
        Stats s = Stats.of(hundredAndOne);
        assertEquals(50, s.percentile(50));
        assertEquals(99, s.percentile(99));
        assertEquals(9.5, Stats.of(0, 10).percentile(95), 1e-12);
    }

    @Test
    void theSamplesAreCopied() {
        double[] samples = {1, 2, 3};
        Stats s = Stats.of(samples);
        samples[0] = 100;
        assertEquals(1, s.min());
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, Stats::of);
        assertThrows(IllegalArgumentException.class, () -> Stats.of(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Stats.of(1).percentile(101));
        assertThrows(IllegalArgumentException.class, () -> Stats.of(1).percentile(-1));
    }
}
