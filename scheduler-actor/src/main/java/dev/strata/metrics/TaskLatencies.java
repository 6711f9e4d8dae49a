package dev.strata.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One engine's latency recorders: dispatch latency (task start - ready) and task duration (end - start), in
 * nanoseconds. The scheduler actor records (wait-free, one writer at a time); the user thread takes each run's
 * histograms once the run has drained ({@link #takeRun()}), with no message and no copy in between — HdrHistogram's
 * recorder swaps the histogram being written for a recycled one.
 */
public final class TaskLatencies {
    /** Precision of every Strata latency histogram: values are exact to 3 significant digits (0.1 %). */
    static final int SIGNIFICANT_DIGITS = 3;

    private final SingleWriterRecorder dispatchLatency = new SingleWriterRecorder(SIGNIFICANT_DIGITS);
    private final SingleWriterRecorder taskDuration = new SingleWriterRecorder(SIGNIFICANT_DIGITS);
    // Reader side (the user thread): the last run's histograms, handed back to the recorders for reuse.
    private Histogram runDispatchLatency;
    private Histogram runTaskDuration;

    /** Called by the scheduler when a task member started {@code nanos} after it saw it ready (negative: 0). */
    public void recordDispatchLatency(long nanos) {
        dispatchLatency.recordValue(Math.max(0, nanos));
    }

    /** Called by the scheduler when a task member ran for {@code nanos} (negative counts as 0). */
    public void recordTaskDuration(long nanos) {
        taskDuration.recordValue(Math.max(0, nanos));
    }

    /**
     * Called by the user thread once a run has drained and the scheduler reported it: what was recorded since
     * the previous call. The histograms are reused by the next call, so read or merge them before it.
     */
    public synchronized Run takeRun() {
        runDispatchLatency = dispatchLatency.getIntervalHistogram(runDispatchLatency);
        runTaskDuration = taskDuration.getIntervalHistogram(runTaskDuration);
        return new Run(runDispatchLatency, runTaskDuration);
    }

    /** One run's histograms, nanoseconds. */
    public record Run(Histogram dispatchLatency, Histogram taskDuration) {
    }

    /** An empty nanosecond histogram with Strata's precision that grows to whatever value it is given. */
    static Histogram newHistogram() {
        Histogram h = new Histogram(SIGNIFICANT_DIGITS);
        h.setAutoResize(true);
        return h;
    }
}
