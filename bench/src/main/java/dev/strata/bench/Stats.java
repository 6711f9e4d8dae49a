package dev.strata.bench;

import java.util.Arrays;

/** Order statistics of a non-empty sample; percentiles by linear interpolation between closest ranks. */
final class Stats {
    private final double[] sorted;

    private Stats(double[] sorted) {
        this.sorted = sorted;
    }

    /** Statistics of {@code samples} (copied; must not be empty or contain NaN). */
    static Stats of(double... samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] copy = samples.clone();
        Arrays.sort(copy);
        if (Double.isNaN(copy[copy.length - 1])) {
            throw new IllegalArgumentException("NaN sample in " + Arrays.toString(samples));
        }
        return new Stats(copy);
    }

    double min() {
        return sorted[0];
    }

    double max() {
        return sorted[sorted.length - 1];
    }

    double median() {
        return percentile(50);
    }

    /** The p-th percentile, 0 ≤ p ≤ 100: p 0 is the min, p 100 the max, p 50 the usual median. */
    double percentile(double p) {
        if (!(p >= 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile " + p + " is not in [0, 100]");
        }
        double rank = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
}
