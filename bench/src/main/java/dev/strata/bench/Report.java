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

    /**
     * Strata beside its peer, per shape both measure: StarPU's figure in each of its runs (interleaved with Strata's
     * scenarios in this invocation) and their median, Strata's median, and the ratio (above 1: Strata is faster).
     */
    static String peerTable(List<Result> results, List<StarPuPeer.Figures> peerRuns) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-6s %-8s %12s  %-30s %12s %8s%n", "id",
                "unit", "StarPU", "[its runs]", "Strata", "ratio"));
        for (Result r : results) {
            String id = r.metric().id();
            if (!StarPuPeer.METRICS.contains(id)) {
                continue;
            }
            double[] peer = peerRuns.stream().mapToDouble(f -> f.forMetric(id)).toArray();
            double peerMedian = Stats.of(peer).median();
            double strata = r.stats().median();
            StringJoiner runs = new StringJoiner(" ", "[", "]");
            for (double v : peer) {
                runs.add(format(v));
            }
            sb.append(String.format(Locale.ROOT, "%-6s %-8s %12s  %-30s %12s %7.2f×%n", id, r.metric().unit(),
                    format(peerMedian), runs, format(strata), peerRatio(r.metric(), strata, peerMedian)));
        }
        return sb.toString();
    }

    /** Strata's speed over the peer's for metric {@code m} (above 1: Strata is faster). */
    static double peerRatio(Metric m, double strata, double peer) {
        return m.higherIsBetter() ? strata / peer : peer / strata;
    }

    /** The peer's runs as JSON: one object per run, in run order. */
    static String peerJson(List<StarPuPeer.Figures> peerRuns) {
        StringJoiner list = new StringJoiner(", ", "[", "]");
        for (StarPuPeer.Figures f : peerRuns) {
            list.add(String.format(Locale.ROOT, "{\"a2\": %s, \"b-hop\": %s, \"c\": %s}",
                    number(f.independentTasksPerSecond()), number(f.chainMicrosPerHop()), number(f.fanMillisPerRun())));
        }
        return "{\"name\": \"StarPU\", \"runs\": " + list + "}";
    }

    static String json(List<Result> results, String machine) {
        return json(results, machine, null);
    }

    /** Every sample as JSON; {@code peer} ({@link #peerJson}) is added when not null. */
    static String json(List<Result> results, String machine, String peer) {
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
        return "{\n  \"machine\": " + machine + (peer == null ? "" : ",\n  \"peer\": " + peer)
                + ",\n  \"results\": " + list + "\n}\n";
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
