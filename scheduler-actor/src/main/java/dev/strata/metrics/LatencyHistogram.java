package dev.strata.metrics;

/**
 * A log-linear histogram of non-negative nanosecond values: 8 sub-buckets per power of two, so a
 * percentile is within 12.5 % of the true value. Plain and single-threaded (the scheduler owns one per
 * metric); recording is an array increment.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 3;
    private static final int SUB = 1 << SUB_BITS;
    private final long[] counts = new long[(64 - SUB_BITS + 1) * SUB];
    private long count;
    private long max;

    /** Adds one value; negative values count as 0. */
    public void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        count++;
        if (v > max) {
            max = v;
        }
    }

    public long count() {
        return count;
    }

    public long max() {
        return max;
    }

    /** The value at quantile {@code q} (0..1): the upper bound of its bucket, capped at the maximum; 0 when empty. */
    public long percentile(double q) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * count));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, upperBound(i));
            }
        }
        return max;
    }

    /** Forgets every value (between runs). */
    public void reset() {
        java.util.Arrays.fill(counts, 0);
        count = 0;
        max = 0;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS
        int sub = (int) (v >>> (exp - SUB_BITS)) & (SUB - 1);
        return (exp - SUB_BITS + 1) * SUB + sub;
    }

    static long upperBound(int index) {
        if (index < SUB) {
            return index;
        }
        int exp = index / SUB + SUB_BITS - 1;
        int sub = index % SUB;
        long base = 1L << exp;
        long width = base >>> SUB_BITS;
        return base + (sub + 1) * width - 1;
    }
}
