package dev.strata.metrics;

import dev.strata.process.RoundTripStats;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.HdrHistogram.Histogram;

/**
 * The JMX view of one engine: cumulative counters, latency histograms of every run and last-run figures,
 * updated by the user thread at the end of each run, plus live figures read from the scheduler's
 * {@link ProgressCounters} and the heap ring. Registered by the engine at init, unregistered at close.
 */
public final class EngineMetrics implements EngineMetricsMBean {
    private static final AtomicInteger ENGINES = new AtomicInteger();

    private final ObjectName name;
    private final ProgressCounters progress;
    private final LongSupplier heapUsed;
    private final long heapSize;
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong early = new AtomicLong();
    private final AtomicLong backPressureWaits = new AtomicLong();
    private final AtomicLong remoteRetries = new AtomicLong();
    private final AtomicLong bytesToNodes = new AtomicLong();
    private final AtomicLong bytesFromNodes = new AtomicLong();
    private final LongSupplier chipRestarts;
    private final RoundTripStats chipRoundTrips;
    private final TaskLatencies latencies;
    private volatile long lastHighWater;
    private volatile long lastChipRoundTripP50;
    private volatile long lastChipRoundTripP99;
    private volatile long lastWallNanos;
    // Guarded by this: the user thread merges a run in, JMX threads read.
    private final Histogram dispatchLatency = TaskLatencies.newHistogram();
    private final Histogram taskDuration = TaskLatencies.newHistogram();
    private final Histogram lastDispatchLatency = TaskLatencies.newHistogram();
    private final Histogram lastTaskDuration = TaskLatencies.newHistogram();
    private boolean registered;

    /**
     * Metrics of an engine of level {@code level}, named uniquely in this JVM; {@code chipRoundTrips} is
     * where the engine's chip processes record their round trips (empty in THREAD mode), {@code latencies}
     * where its scheduler records task latencies.
     */
    public EngineMetrics(int level, ProgressCounters progress, LongSupplier heapUsed, long heapSize,
                         LongSupplier chipRestarts, RoundTripStats chipRoundTrips, TaskLatencies latencies) {
        this.latencies = latencies;
        this.chipRestarts = chipRestarts;
        this.chipRoundTrips = chipRoundTrips;
        this.progress = progress;
        this.heapUsed = heapUsed;
        this.heapSize = heapSize;
        try {
            this.name = new ObjectName("dev.strata:type=Engine,name=L" + level + "-" + ENGINES.incrementAndGet());
        } catch (JMException e) {
            throw new IllegalStateException("cannot name the engine's MBean", e);
        }
    }

    /** The JMX name, {@code dev.strata:type=Engine,name=L<level>-<n>}. */
    public ObjectName objectName() {
        return name;
    }

    /** Registers the bean with the platform MBean server. */
    public synchronized void register() {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(this, name);
            registered = true;
        } catch (JMException e) {
            throw new IllegalStateException("cannot register MBean " + name, e);
        }
    }

    /** Unregisters the bean; idempotent. */
    public synchronized void unregister() {
        if (!registered) {
            return;
        }
        registered = false;
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            server.unregisterMBean(name);
        } catch (JMException e) {
            // Already gone (someone else unregistered it): nothing left to clean up.
        }
    }

    @Override
    public long getChipProcessRestarts() {
        return chipRestarts.getAsLong();
    }

    /** Called by the user thread when a run has drained and the scheduler reported it. */
    public void runFinished(long completedTasks, long failedTasks, long skippedTasks, long earlyDispatches,
                            long waits, long highWaterBytes, long wallNanos) {
        runs.incrementAndGet();
        completed.addAndGet(completedTasks);
        failed.addAndGet(failedTasks);
        skipped.addAndGet(skippedTasks);
        early.addAndGet(earlyDispatches);
        backPressureWaits.addAndGet(waits);
        lastHighWater = highWaterBytes;
        lastWallNanos = wallNanos;
        TaskLatencies.Run run = latencies.takeRun();
        synchronized (this) {
            dispatchLatency.add(run.dispatchLatency());
            taskDuration.add(run.taskDuration());
            lastDispatchLatency.reset();
            lastDispatchLatency.add(run.dispatchLatency());
            lastTaskDuration.reset();
            lastTaskDuration.add(run.taskDuration());
        }
        // The run has drained, so no chip process records now: the stats start empty for the next run.
        if (chipRoundTrips.count() > 0) {
            lastChipRoundTripP50 = chipRoundTrips.percentile(0.50);
            lastChipRoundTripP99 = chipRoundTrips.percentile(0.99);
            chipRoundTrips.reset();
        } else {
            lastChipRoundTripP50 = 0;
            lastChipRoundTripP99 = 0;
        }
    }

    /** Dispatch latency of every run since init, nanoseconds: a copy, to read or merge with other engines'. */
    synchronized Histogram dispatchLatency() {
        return dispatchLatency.copy();
    }

    /** Task duration of every run since init, nanoseconds: a copy, to read or merge with other engines'. */
    synchronized Histogram taskDuration() {
        return taskDuration.copy();
    }

    /**
     * Decodes a histogram attribute ({@link #getDispatchLatencyHistogram()}, {@link #getTaskDurationHistogram()})
     * back into a histogram of nanoseconds.
     */
    public static Histogram decodeHistogram(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("not an encoded histogram: " + e.getMessage(), e);
        }
    }

    @Override
    public long getRuns() {
        return runs.get();
    }

    @Override
    public long getTasksCompleted() {
        return completed.get();
    }

    @Override
    public long getTasksFailed() {
        return failed.get();
    }

    @Override
    public long getTasksSkipped() {
        return skipped.get();
    }

    @Override
    public long getEarlyDispatches() {
        return early.get();
    }

    @Override
    public long getBackPressureWaits() {
        return backPressureWaits.get();
    }

    /**
     * Called by the user thread after a cluster head's run, once per worker node: {@code retries} dispatches there
     * failed and were sent again; {@code toNode} and {@code fromNode} bytes of tensors travelled each way.
     */
    public void nodeWorkFinished(long retries, long toNode, long fromNode) {
        remoteRetries.addAndGet(retries);
        bytesToNodes.addAndGet(toNode);
        bytesFromNodes.addAndGet(fromNode);
    }

    @Override
    public long getRemoteTaskRetries() {
        return remoteRetries.get();
    }

    @Override
    public long getBytesShippedToNodes() {
        return bytesToNodes.get();
    }

    @Override
    public long getBytesShippedFromNodes() {
        return bytesFromNodes.get();
    }

    @Override
    public long getCurrentTasksSubmitted() {
        return progress.submitted();
    }

    @Override
    public long getCurrentTasksRunning() {
        return progress.running();
    }

    @Override
    public long getCurrentReadyQueueLength() {
        return progress.readyQueued();
    }

    @Override
    public long getHeapUsedBytes() {
        return heapUsed.getAsLong();
    }

    @Override
    public long getHeapSizeBytes() {
        return heapSize;
    }

    @Override
    public long getLastRunHeapHighWaterBytes() {
        return lastHighWater;
    }

    @Override
    public long getLastRunWallMicros() {
        return lastWallNanos / 1000;
    }

    @Override
    public synchronized double getLastRunDispatchLatencyP50Micros() {
        return percentileMicros(lastDispatchLatency, 50);
    }

    @Override
    public synchronized double getLastRunDispatchLatencyP99Micros() {
        return percentileMicros(lastDispatchLatency, 99);
    }

    @Override
    public synchronized double getLastRunTaskDurationP50Micros() {
        return percentileMicros(lastTaskDuration, 50);
    }

    @Override
    public synchronized double getLastRunTaskDurationP99Micros() {
        return percentileMicros(lastTaskDuration, 99);
    }

    @Override
    public synchronized long getLatencySamples() {
        return taskDuration.getTotalCount();
    }

    @Override
    public synchronized double getDispatchLatencyP50Micros() {
        return percentileMicros(dispatchLatency, 50);
    }

    @Override
    public synchronized double getDispatchLatencyP99Micros() {
        return percentileMicros(dispatchLatency, 99);
    }

    @Override
    public synchronized double getDispatchLatencyMaxMicros() {
        return percentileMicros(dispatchLatency, 100);
    }

    @Override
    public synchronized double getTaskDurationP50Micros() {
        return percentileMicros(taskDuration, 50);
    }

    @Override
    public synchronized double getTaskDurationP99Micros() {
        return percentileMicros(taskDuration, 99);
    }

    @Override
    public synchronized double getTaskDurationMaxMicros() {
        return percentileMicros(taskDuration, 100);
    }

    @Override
    public synchronized String getDispatchLatencyHistogram() {
        return encode(dispatchLatency);
    }

    @Override
    public synchronized String getTaskDurationHistogram() {
        return encode(taskDuration);
    }

    /** The value at {@code percentile} (0..100) in microseconds, exact to the histogram's precision; 0 when empty. */
    private static double percentileMicros(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e3;
    }

    /** HdrHistogram's compressed form in Base64, as its own log format writes a histogram. */
    private static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
    }

    @Override
    public double getLastRunChipRoundTripP50Micros() {
        return lastChipRoundTripP50 / 1e3;
    }

    @Override
    public double getLastRunChipRoundTripP99Micros() {
        return lastChipRoundTripP99 / 1e3;
    }

    @Override
    public String toString() {
        return name.toString();
    }
}
