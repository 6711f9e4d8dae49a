package dev.strata.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30)
class TaskLatenciesTest {

    @Test
    void percentilesAreExactToThreeSignificantDigits() {
        TaskLatencies l = new TaskLatencies();
        for (long v = 1; v <= 1000; v++) {
            l.recordTaskDuration(v * 1_342_177L); // up to 1.34 s: the old buckets were 12.5 % wide there
        }
        Histogram h = l.takeRun().taskDuration();
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
        Histogram h = l.takeRun().dispatchLatency();
        assertEquals(2, h.getTotalCount());
        assertEquals(0, h.getMinValue());
        assertEquals(7, h.getMaxValue());
    }

    @Test
    void takeRunHandsOverTheRunAndStartsAfresh() {
        TaskLatencies l = new TaskLatencies();
        l.recordTaskDuration(100);
        l.recordDispatchLatency(10);
        TaskLatencies.Run first = l.takeRun();
        assertEquals(1, first.taskDuration().getTotalCount());
        assertEquals(1, first.dispatchLatency().getTotalCount());
        TaskLatencies.Run second = l.takeRun();
        assertEquals(0, second.taskDuration().getTotalCount());
        assertEquals(0, second.dispatchLatency().getTotalCount());
        l.recordTaskDuration(300);
        assertEquals(300, l.takeRun().taskDuration().getMaxValue(), "a recycled histogram holds only its run");
    }

    @Test
    void recordingWhileTheReaderTakesRunsLosesNothing() throws Exception {
        TaskLatencies l = new TaskLatencies();
        int n = 200_000;
        Thread writer = new Thread(() -> {
            for (int i = 1; i <= n; i++) {
                l.recordTaskDuration(i);
            }
        });
        writer.start();
        long seen = 0;
        while (writer.isAlive()) {
            seen += l.takeRun().taskDuration().getTotalCount();
        }
        writer.join(10_000);
        seen += l.takeRun().taskDuration().getTotalCount();
        assertEquals(n, seen);
    }

    @Test
    void valuesFarBeyondAnyStartingRangeAreKept() {
        TaskLatencies l = new TaskLatencies();
        long hour = 3_600_000_000_000L;
        l.recordTaskDuration(hour);
        l.recordTaskDuration(1);
        Histogram h = l.takeRun().taskDuration();
        assertClose(hour, h.getMaxValue());
        assertEquals(1, h.getMinValue());
    }

    static void assertClose(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected / 1000 + 1, "expected " + expected + " within 0.1 %, got "
                + actual);
    }
}
