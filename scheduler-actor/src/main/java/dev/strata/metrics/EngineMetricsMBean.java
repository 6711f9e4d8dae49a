package dev.strata.metrics;

/**
 * What one engine exposes through JMX as {@code dev.strata:type=Engine,name=<engine name>}. Cumulative
 * counters and latency histograms cover every run since {@code init()}; "LastRun" figures the most recent
 * finished run; "Current" figures are live. Latencies are HdrHistograms exact to 3 significant digits.
 * Each name is documented in docs/observability.md.
 */
public interface EngineMetricsMBean {
    /** Runs finished since init (failed ones included). */
    long getRuns();

    /** Tasks that ran and succeeded, all runs. */
    long getTasksCompleted();

    /** Tasks with a failed member, all runs. */
    long getTasksFailed();

    /** Tasks skipped because a producer failed, all runs. */
    long getTasksSkipped();

    /** Tasks sent to a worker early, queued behind their producers there, all runs. */
    long getEarlyDispatches();

    /** Chip child JVMs started again after a death, a kill or a hang (PROCESS mode's retries), all runs. */
    long getChipProcessRestarts();

    /** Heap-ring allocations that had to wait for room, all runs. */
    long getBackPressureWaits();

    /**
     * Cluster head: dispatches of chip tasks sent again after an attempt was lost with its worker node, timed out or
     * lost its results on the way back (strata.cluster.max-task-retries), all runs; 0 on one JVM.
     */
    long getRemoteTaskRetries();

    /** Cluster head: bytes of tensors shipped to worker nodes with chip tasks, all runs; 0 on one JVM. */
    long getBytesShippedToNodes();

    /** Cluster head: bytes of tensors shipped back from worker nodes, all runs; 0 on one JVM. */
    long getBytesShippedFromNodes();

    /** Tasks received by the scheduler in the current (or last) run. */
    long getCurrentTasksSubmitted();

    /** Tasks dispatched and not finished, now. */
    long getCurrentTasksRunning();

    /** Ready tasks waiting for room on a worker, now. */
    long getCurrentReadyQueueLength();

    /** Heap-ring bytes in use now. */
    long getHeapUsedBytes();

    /** Heap-ring size in bytes. */
    long getHeapSizeBytes();

    /** Highest heap-ring bytes in use during the last run. */
    long getLastRunHeapHighWaterBytes();

    /** Wall time of the last run, orch fn start to drain, in microseconds. */
    long getLastRunWallMicros();

    /** Median dispatch latency (task start - ready) of the last run, microseconds. */
    double getLastRunDispatchLatencyP50Micros();

    /** 99th percentile dispatch latency of the last run, microseconds. */
    double getLastRunDispatchLatencyP99Micros();

    /** Median task duration (end - start) of the last run, microseconds. */
    double getLastRunTaskDurationP50Micros();

    /** 99th percentile task duration of the last run, microseconds. */
    double getLastRunTaskDurationP99Micros();

    /** Task members measured (those that ran on a worker), all runs: the count behind the histograms below. */
    long getLatencySamples();

    /** Median dispatch latency (task start - ready), all runs, microseconds. */
    double getDispatchLatencyP50Micros();

    /** 99th percentile dispatch latency, all runs, microseconds. */
    double getDispatchLatencyP99Micros();

    /** Largest dispatch latency, all runs, microseconds. */
    double getDispatchLatencyMaxMicros();

    /** Median task duration (end - start), all runs, microseconds. */
    double getTaskDurationP50Micros();

    /** 99th percentile task duration, all runs, microseconds. */
    double getTaskDurationP99Micros();

    /** Longest task duration, all runs, microseconds. */
    double getTaskDurationMaxMicros();

    /**
     * The full dispatch-latency histogram of all runs, nanoseconds: HdrHistogram's compressed encoding in
     * Base64 ({@code Histogram.decodeFromCompressedByteBuffer}, or {@link EngineMetrics#decodeHistogram}).
     */
    String getDispatchLatencyHistogram();

    /** The full task-duration histogram of all runs, nanoseconds, encoded as {@link #getDispatchLatencyHistogram()}. */
    String getTaskDurationHistogram();

    /** PROCESS mode: median mailbox round trip (post to TASK_DONE seen) of the last run, microseconds. */
    double getLastRunChipRoundTripP50Micros();

    /** PROCESS mode: 99th percentile mailbox round trip of the last run, microseconds. */
    double getLastRunChipRoundTripP99Micros();
}
