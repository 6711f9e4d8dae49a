package dev.strata.bench;

/**
 * One reported figure: what it measures, its unit, the seed engine's figure on this machine and Strata's
 * bar (NaN when there is none).
 */
record Metric(String id, String label, String unit, boolean higherIsBetter, double seed, double bar) {

    static Metric higher(String id, String label, String unit, double seed) {
        return new Metric(id, label, unit, true, seed, 2 * seed);
    }

    /** A figure with an absolute bar and no seed counterpart. */
    static Metric atLeast(String id, String label, String unit, double bar) {
        return new Metric(id, label, unit, true, Double.NaN, bar);
    }

    static Metric lower(String id, String label, String unit, double seed, double bar) {
        return new Metric(id, label, unit, false, seed, bar);
    }

    /** Speed-up over the seed (above 1 = faster than the seed), NaN without a seed figure. */
    double ratio(double value) {
        return higherIsBetter ? value / seed : seed / value;
    }

    boolean hasBar() {
        return !Double.isNaN(bar);
    }

    boolean passes(double value) {
        return higherIsBetter ? value >= bar : value <= bar;
    }
}
