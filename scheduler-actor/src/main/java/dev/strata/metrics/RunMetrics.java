package dev.strata.metrics;

import dev.strata.protocol.CborSerializable;

/**
 * Latency figures of one run, computed by the scheduler at its end from its histograms.
 *
 * @param samples              task members measured (those that ran on a worker)
 * @param dispatchLatencyP50Nanos median of start - ready (0 for a task started before the scheduler saw it ready)
 * @param dispatchLatencyP99Nanos 99th percentile of start - ready
 * @param taskDurationP50Nanos median of end - start
 * @param taskDurationP99Nanos 99th percentile of end - start
 */
public record RunMetrics(long samples, long dispatchLatencyP50Nanos, long dispatchLatencyP99Nanos,
                         long taskDurationP50Nanos, long taskDurationP99Nanos) implements CborSerializable {

    /** No task measured. */
    public static final RunMetrics EMPTY = new RunMetrics(0, 0, 0, 0, 0);
}
