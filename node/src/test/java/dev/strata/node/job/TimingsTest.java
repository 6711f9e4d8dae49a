package dev.strata.node.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
