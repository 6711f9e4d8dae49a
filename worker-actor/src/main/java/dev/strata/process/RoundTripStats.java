package dev.strata.process;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free histogram of mailbox round trips (parent posts → child done → parent sees it), in
 * nanoseconds, for benchmarks and diagnostics. Log-linear buckets: exact below 16 ns, then 16 buckets per
 * power of two, so a reported percentile is within about 6 % of the true value. Thread-safe; recording is
 * one atomic increment.
 */
public final class RoundTripStats {
    private static final int SUB_BUCKETS = 16;
    private static final int BUCKETS = SUB_BUCKETS * 60 + 2 * SUB_BUCKETS;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    /** Adds one round trip of {@code nanos} (negative values count as 0). */
    public void record(long nanos) {
        counts.incrementAndGet(index(Math.max(0, nanos)));
    }

    /** How many round trips were recorded. */
    public long count() {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /**
     * The round trip below which a fraction {@code q} (0..1) of the recorded ones lie, in nanoseconds (the
     * middle of its bucket); 0 when nothing was recorded.
     */
    public long percentile(double q) {
        if (q < 0 || q > 1) {
            throw new IllegalArgumentException("percentile fraction must be 0..1, got " + q);
        }
        long total = count();
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return (lowerBound(i) + lowerBound(i + 1)) / 2;
            }
        }
        return lowerBound(BUCKETS - 1);
    }

    /** Forgets everything recorded so far (not atomic with concurrent recording). */
    public void reset() {
        for (int i = 0; i < BUCKETS; i++) {
            counts.set(i, 0);
        }
    }

    @Override
    public String toString() {
        return String.format("RoundTripStats[n=%d p50=%.1f us p99=%.1f us]", count(), percentile(0.5) / 1e3,
                percentile(0.99) / 1e3);
    }

    static int index(long v) {
        if (v < SUB_BUCKETS) {
            return (int) v;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - 4; // keep the top 5 bits: 16..31
        return SUB_BUCKETS * shift + (int) (v >>> shift);
    }

    static long lowerBound(int index) {
        if (index < 2 * SUB_BUCKETS) {
            return index;
        }
        int shift = index / SUB_BUCKETS - 1;
        return (long) (SUB_BUCKETS + index % SUB_BUCKETS) << shift;
    }
}
