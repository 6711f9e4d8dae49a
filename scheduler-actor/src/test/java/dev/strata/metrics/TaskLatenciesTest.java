package dev.strata.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class TaskLatenciesTest {

    @Test
    void percentilesAreExactToThreeSignificantDigits() {
        TaskLatencies l = new TaskLatencies();
        for (long v = 1; v <= 1000; v++) {
            l.recordTaskDuration(v * 1_342_177L); // up to 1.34 s: the old buckets were 12.5 % wide there
        }
        Histogram h = l.finishRun().taskDuration();
        assertEquals(1000, h.getTotalCount());
        assertClose(500 * 1_342_177L, h.getValueAtPercentile(50));
        assertClose(990 * 1_342_177L, h.getValueAtPercentile(99));
        assertClose(1000 * 1_342_177L, h.getMaxValue());
    }

    @Test
    void negativeValuesCountAsZero() {
        TaskLatencies l = new TaskLatencies();
        l.recordDispatchLatency(-5); // an early dispatch that started before the scheduler saw it ready
        l.recordDispatchLatency(7);
        Histogram h = l.finishRun().dispatchLatency();
        assertEquals(2, h.getTotalCount());
        assertEquals(0, h.getMinValue());
        assertEquals(7, h.getMaxValue());
    }

    @Test
    void finishRunHandsOverTheRunAndStartsAfresh() {
        TaskLatencies l = new TaskLatencies();
        l.recordTaskDuration(100);
        l.recordDispatchLatency(10);
        RunMetrics first = l.finishRun();
        assertEquals(1, first.samples());
        RunMetrics second = l.finishRun();
        assertEquals(0, second.samples());
        assertEquals(0, second.dispatchLatency().getTotalCount());
        assertEquals(RunMetrics.EMPTY, second);
    }

    @Test
    void valuesFarBeyondAnyStartingRangeAreKept() {
        TaskLatencies l = new TaskLatencies();
        long hour = 3_600_000_000_000L;
        l.recordTaskDuration(hour);
        l.recordTaskDuration(1);
        Histogram h = l.finishRun().taskDuration();
        assertClose(hour, h.getMaxValue());
        assertEquals(1, h.getMinValue());
    }

    static void assertClose(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected / 1000 + 1, "expected " + expected + " within 0.1 %, got "
                + actual);
    }
}
