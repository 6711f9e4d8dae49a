package dev.strata.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RunMetricsTest {

    @Test
    void histogramsSurviveTheEncoding() {
        Histogram d = TaskLatencies.newHistogram();
        Histogram t = TaskLatencies.newHistogram();
        d.recordValue(1_500);
        d.recordValue(2_500_000);
        t.recordValue(42);
        RunMetrics m = RunMetrics.of(d, t);
        assertEquals(d, m.dispatchLatency());
        assertEquals(t, m.taskDuration());
        assertEquals(1, m.samples());
    }

    @Test
    void runsMergeByAddingTheirHistograms() {
        TaskLatencies l = new TaskLatencies();
        l.recordTaskDuration(1_000);
        RunMetrics run1 = l.finishRun();
        l.recordTaskDuration(9_000_000_000L); // 9 s: beyond what run 1's histogram covered
        RunMetrics run2 = l.finishRun();
        Histogram all = run1.taskDuration();
        all.add(run2.taskDuration());
        assertEquals(2, all.getTotalCount());
        TaskLatenciesTest.assertClose(9_000_000_000L, all.getMaxValue());
        assertEquals(1_000, all.getMinValue());
    }

    @Test
    void decodedHistogramsAreCopies() {
        TaskLatencies l = new TaskLatencies();
        l.recordTaskDuration(5);
        RunMetrics m = l.finishRun();
        m.taskDuration().recordValue(6);
        assertEquals(1, m.samples(), "changing a decoded histogram does not change the record");
    }

    @Test
    void equalityIsByContent() {
        Histogram h = TaskLatencies.newHistogram();
        h.recordValue(3);
        assertEquals(RunMetrics.of(h, h), RunMetrics.of(h.copy(), h.copy()));
        assertEquals(RunMetrics.of(h, h).hashCode(), RunMetrics.of(h.copy(), h.copy()).hashCode());
        assertNotEquals(RunMetrics.EMPTY, RunMetrics.of(h, h));
        assertTrue(RunMetrics.of(h, h).toString().contains("samples=1"), RunMetrics.of(h, h).toString());
    }
}
