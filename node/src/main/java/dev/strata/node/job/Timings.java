package dev.strata.node.job;

import java.util.Arrays;
import java.util.Locale;

/** How a job reports repeated timings: the median, and the spread of all runs beside it. */
public final class Timings {

    private Timings() {
    }

    /** The median of {@code values} (the mean of the middle two for an even count); {@code values} is not changed. */
    public static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /** Whether the slowest of {@code seconds} took more than {@code ratio} times the fastest. */
    public static boolean uneven(double[] seconds, double ratio) {
        double min = Arrays.stream(seconds).min().orElseThrow();
        double max = Arrays.stream(seconds).max().orElseThrow();
        return max > ratio * min;
    }

    /** {@code (1 run)}, or {@code (median of 3, 0.101-0.130)}: how many runs and the fastest and slowest, in seconds. */
    public static String spread(double[] seconds) {
        if (seconds.length == 1) {
            return "(1 run)";
        }
        double min = Arrays.stream(seconds).min().orElseThrow();
        double max = Arrays.stream(seconds).max().orElseThrow();
        return String.format(Locale.ROOT, "(median of %d, %.3f-%.3f)", seconds.length, min, max);
    }
}
