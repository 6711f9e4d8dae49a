package dev.strata.process;

import org.HdrHistogram.ConcurrentHistogram;

/**
 * Mailbox round trips (parent posts → child done → parent sees it) of one engine's chip processes, in
 * nanoseconds, for the engine's metrics and the benchmark. An HdrHistogram at 3 significant digits: recording
 * is wait-free from any proxy thread.
 */
public final class RoundTripStats {
    private final ConcurrentHistogram histogram = new ConcurrentHistogram(3);

    /** Adds one round trip of {@code nanos} (negative values count as 0). */
    public void record(long nanos) {
        histogram.recordValue(Math.max(0, nanos));
    }

    /** How many round trips were recorded. */
    public long count() {
        return histogram.getTotalCount();
    }

    /**
     * The round trip below which a fraction {@code q} (0..1) of the recorded ones lie, in nanoseconds (to 3
     * significant digits); 0 when nothing was recorded.
     */
    public long percentile(double q) {
        if (q < 0 || q > 1) {
            throw new IllegalArgumentException("percentile fraction must be 0..1, got " + q);
        }
        return histogram.getValueAtPercentile(q * 100);
    }

    /** Forgets everything recorded so far (not atomic with concurrent recording). */
    public void reset() {
        histogram.reset();
    }

    @Override
    public String toString() {
        return "RoundTripStats[n=" + count() + ", p50=" + percentile(0.5) + " ns, p99=" + percentile(0.99) + " ns]";
    }
}
