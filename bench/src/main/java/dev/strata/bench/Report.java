package dev.strata.bench;

import dev.strata.bench.BenchMain.Result;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/** The benchmark's outputs: a text table for people and a JSON document of every sample. */
final class Report {

    private Report() {
    }

    private static final String ROW = "%-6s %-46s %-8s %9s  %-21s %8s %7s  %-10s %s%n";

    static String table(List<Result> results) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, ROW,
                "id", "scenario", "unit", "median", "[min – max]", "seed", "ratio", "bar", "verdict"));
        for (Result r : results) {
            Metric m = r.metric();
            Stats s = r.stats();
            boolean hasSeed = !Double.isNaN(m.seed());
            sb.append(String.format(Locale.ROOT, ROW, m.id(), m.label(),
                    m.unit(), format(s.median()), "[" + format(s.min()) + " – " + format(s.max()) + "]",
                    hasSeed ? format(m.seed()) : "—",
                    hasSeed ? String.format(Locale.ROOT, "%.2f×", m.ratio(s.median())) : "—",
                    m.hasBar() ? (m.higherIsBetter() ? "≥ " : "≤ ") + format(m.bar()) : "—",
                    m.hasBar() ? (m.passes(s.median()) ? "PASS" : "FAIL") : ""));
        }
        return sb.toString();
    }

    static String json(List<Result> results, String machine) {
        StringJoiner list = new StringJoiner(",\n    ", "[\n    ", "\n  ]");
        for (Result r : results) {
            Metric m = r.metric();
            Stats s = r.stats();
            StringJoiner samples = new StringJoiner(", ", "[", "]");
            for (double v : r.samples()) {
                samples.add(number(v));
            }
            list.add(String.format(Locale.ROOT, "{\"scenario\": %s, \"label\": %s, \"unit\": %s, "
                            + "\"higherIsBetter\": %b, \"samples\": %s, \"median\": %s, \"min\": %s, \"max\": %s, "
                            + "\"seed\": %s, \"bar\": %s, \"pass\": %s}",
                    quote(m.id()), quote(m.label().trim()), quote(m.unit()), m.higherIsBetter(), samples,
                    number(s.median()), number(s.min()), number(s.max()), number(m.seed()), number(m.bar()),
                    m.hasBar() ? String.valueOf(m.passes(s.median())) : "null"));
        }
        return "{\n  \"machine\": " + machine + ",\n  \"results\": " + list + "\n}\n";
    }

    /** 3 significant figures, thousands as k: 44000 → "44.0k", 0.62 → "0.620", 123.4 → "123". */
    static String format(double v) {
        if (Math.abs(v) >= 1e6) {
            return String.format(Locale.ROOT, "%.3gM", v / 1e6);
        }
        if (Math.abs(v) >= 1e4) {
            return String.format(Locale.ROOT, "%.3gk", v / 1e3);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 1000 ? "%.0f" : "%.3g", v);
    }

    static String number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.6g", v);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return sb.append('"').toString();
    }
}
