package dev.strata.metrics;

import org.HdrHistogram.Histogram;

/**
 * The scheduler's latency histograms for the run in progress: dispatch latency (task start - ready) and task
 * duration (end - start), in nanoseconds. Plain and single-threaded (the scheduler actor owns one); recording
 * is an array increment, and {@link #finishRun()} hands the run's histograms over and starts afresh.
 */
public final class TaskLatencies {
    /** Precision of every Strata latency histogram: values are exact to 3 significant digits (0.1 %). */
    static final int SIGNIFICANT_DIGITS = 3;

    private final Histogram dispatchLatency = newHistogram();
    private final Histogram taskDuration = newHistogram();

    /** A task (member) started {@code nanos} after the scheduler saw it ready; negative (started first) counts 0. */
    public void recordDispatchLatency(long nanos) {
        dispatchLatency.recordValue(Math.max(0, nanos));
    }

    /** A task (member) ran for {@code nanos}; negative counts as 0. */
    public void recordTaskDuration(long nanos) {
        taskDuration.recordValue(Math.max(0, nanos));
    }

    /** The run's histograms, encoded for the run's outcome; then forgets them for the next run. */
    public RunMetrics finishRun() {
        RunMetrics metrics = RunMetrics.of(dispatchLatency, taskDuration);
        dispatchLatency.reset();
        taskDuration.reset();
        return metrics;
    }

    /** An empty nanosecond histogram with Strata's precision that grows to whatever value it is given. */
    static Histogram newHistogram() {
        Histogram h = new Histogram(SIGNIFICANT_DIGITS);
        h.setAutoResize(true);
        return h;
    }
}
