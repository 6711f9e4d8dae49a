package dev.strata.metrics;

import dev.strata.process.RoundTripStats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The bean without JMX registration or an engine: runs merged into histograms of every run. */
class EngineMetricsTest {
    private final TaskLatencies latencies = new TaskLatencies();
    private final EngineMetrics metrics = metrics(latencies);

    private static EngineMetrics metrics(TaskLatencies latencies) {
        return new EngineMetrics(3, new ProgressCounters(), () -> 0, 1024, () -> 0, new RoundTripStats(), latencies);
    }

    private void run(long dispatchNanos, long... durationNanos) {
        latencies.recordDispatchLatency(dispatchNanos);
        for (long d : durationNanos) {
            latencies.recordTaskDuration(d);
        }
        metrics.runFinished(durationNanos.length, 0, 0, 0, 0, 0, 1_000_000);
    }

    @Test
    void beforeAnyRunEveryLatencyIsZero() {
        assertEquals(0, metrics.getLatencySamples());
        assertEquals(0.0, metrics.getTaskDurationP99Micros());
        assertEquals(0.0, metrics.getLastRunDispatchLatencyP50Micros());
        assertEquals(0, EngineMetrics.decodeHistogram(metrics.getTaskDurationHistogram()).getTotalCount());
    }

    @Test
    void lastRunFiguresDescribeOnlyTheLastRun() {
        run(2_000, 10_000, 10_000);
        run(4_000, 30_000);
        assertEquals(4.0, metrics.getLastRunDispatchLatencyP50Micros(), 0.01);
        assertEquals(30.0, metrics.getLastRunTaskDurationP50Micros(), 0.03);
        assertEquals(30.0, metrics.getLastRunTaskDurationP99Micros(), 0.03);
    }

    @Test
    void histogramsCoverEveryRun() {
        run(2_000, 10_000, 10_000);
        run(4_000, 30_000);
        assertEquals(3, metrics.getLatencySamples());
        assertEquals(10.0, metrics.getTaskDurationP50Micros(), 0.01);
        assertEquals(30.0, metrics.getTaskDurationMaxMicros(), 0.03);
        assertEquals(4.0, metrics.getDispatchLatencyMaxMicros(), 0.01);
        assertEquals(2.0, metrics.getDispatchLatencyP50Micros(), 0.01);
        assertEquals(3, metrics.taskDuration().getTotalCount());
    }

    @Test
    void histogramAttributesDecodeToTheFullHistogram() {
        run(2_000, 10_000, 20_000, 40_000);
        Histogram decoded = EngineMetrics.decodeHistogram(metrics.getTaskDurationHistogram());
        assertEquals(metrics.taskDuration(), decoded);
        assertEquals(1, EngineMetrics.decodeHistogram(metrics.getDispatchLatencyHistogram()).getTotalCount());
    }

    @Test
    void enginesMergeThroughTheirHistograms() {
        TaskLatencies l = new TaskLatencies();
        EngineMetrics other = metrics(l);
        l.recordTaskDuration(50_000);
        other.runFinished(1, 0, 0, 0, 0, 0, 1);
        run(1_000, 10_000);
        Histogram cluster = metrics.taskDuration();
        cluster.add(other.taskDuration());
        assertEquals(2, cluster.getTotalCount());
        TaskLatenciesTest.assertClose(50_000, cluster.getMaxValue());
    }

    @Test
    void garbageIsNotAHistogram() {
        assertThrows(IllegalArgumentException.class, () -> EngineMetrics.decodeHistogram("bm90IGEgaGlzdG9ncmFt"));
    }
}
