package dev.strata.metrics;

import dev.strata.protocol.CborSerializable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * The latency histograms of one run, which the scheduler hands to the user thread in its run outcome. They
 * travel encoded (HdrHistogram's own byte form) so the record is a CBOR message like any other, and runs or
 * nodes merge by adding the decoded histograms ({@link Histogram#add}).
 *
 * @param dispatchLatencyEncoded start - ready of every task member that ran, nanoseconds (0 for a task started
 *                               before the scheduler saw it ready)
 * @param taskDurationEncoded    end - start of every task member that ran, nanoseconds
 */
public record RunMetrics(byte[] dispatchLatencyEncoded, byte[] taskDurationEncoded) implements CborSerializable {

    /** No task measured. */
    public static final RunMetrics EMPTY = of(TaskLatencies.newHistogram(), TaskLatencies.newHistogram());

    public RunMetrics {
        Objects.requireNonNull(dispatchLatencyEncoded, "dispatchLatencyEncoded");
        Objects.requireNonNull(taskDurationEncoded, "taskDurationEncoded");
    }

    /** Encodes the two histograms as they are now. */
    public static RunMetrics of(Histogram dispatchLatency, Histogram taskDuration) {
        return new RunMetrics(encode(dispatchLatency), encode(taskDuration));
    }

    /** Dispatch latency of the run, nanoseconds: a fresh histogram the caller may change or merge into. */
    public Histogram dispatchLatency() {
        return decode(dispatchLatencyEncoded);
    }

    /** Task duration of the run, nanoseconds: a fresh histogram the caller may change or merge into. */
    public Histogram taskDuration() {
        return decode(taskDurationEncoded);
    }

    /** Task members measured (those that ran on a worker). */
    public long samples() {
        return taskDuration().getTotalCount();
    }

    private static byte[] encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoByteBuffer(buffer);
        return Arrays.copyOf(buffer.array(), length);
    }

    private static Histogram decode(byte[] encoded) {
        Histogram h = Histogram.decodeFromByteBuffer(ByteBuffer.wrap(encoded), 0);
        h.setAutoResize(true); // not part of the encoding: a merged-into copy must still grow
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunMetrics m && Arrays.equals(dispatchLatencyEncoded, m.dispatchLatencyEncoded)
                && Arrays.equals(taskDurationEncoded, m.taskDurationEncoded);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dispatchLatencyEncoded) + Arrays.hashCode(taskDurationEncoded);
    }

    @Override
    public String toString() {
        Histogram d = dispatchLatency();
        Histogram t = taskDuration();
        return "RunMetrics[samples=" + t.getTotalCount() + " dispatchLatency p50=" + d.getValueAtPercentile(50)
                + " ns p99=" + d.getValueAtPercentile(99) + " ns, taskDuration p50=" + t.getValueAtPercentile(50)
                + " ns p99=" + t.getValueAtPercentile(99) + " ns]";
    }
}
