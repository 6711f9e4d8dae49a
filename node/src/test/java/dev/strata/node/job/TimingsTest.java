package dev.strata.node.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimingsTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValueAndTheInputStaysAsItWas() {
        double[] v = {3, 1, 2};
        assertEquals(2, Timings.median(v));
        assertArrayEquals(new double[] {3, 1, 2}, v);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, Timings.median(new double[] {4, 1, 3, 2}));
        assertThrows(IllegalArgumentException.class, () -> Timings.median(new double[0]));
    }

    @Test
    void spreadSaysHowManyRunsAndTheFastestAndSlowest() {
        assertEquals("(1 run)", Timings.spread(new double[] {0.5}));
        assertEquals("(median of 3, 0.101-0.130)", Timings.spread(new double[] {0.13, 0.101, 0.12}));
    }

    @Test
    void runsAreUnevenWhenTheSlowestTakesMoreThanTheRatioTimesTheFastest() {
        assertFalse(Timings.uneven(new double[] {0.20, 0.25, 0.22}, 1.25));
        assertTrue(Timings.uneven(new double[] {0.20, 0.2501, 0.22}, 1.25));
        assertFalse(Timings.uneven(new double[] {0.3}, 1.25));
    }
}
