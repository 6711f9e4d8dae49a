package dev.strata.trace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders a {@link RunTrace} as one self-contained HTML page (inline SVG, CSS and script, no external
 * resource): a swimlane picture with one lane per worker and one rectangle per task member that ran,
 * coloured by callable; the critical path and its length against the wall time; per-callable counts and
 * duration percentiles; worker utilization; heap-ring high-water mark and back-pressure waits. A small
 * inline script counts the drawn lanes and tasks into the data attributes of a hidden element,
 * {@code <div id="selfcheck" hidden data-lanes="N" data-tasks="M">}: a self-check for tests that render the
 * page, invisible to its readers (it counts the run's own swimlane only).
 *
 * <p>A level-4 run with {@link RunTrace#below() runs below} also gets, after its swimlane, a section per engine
 * below: its chips' utilisation over the level-4 wall time, its level-3 runs and task members, and its chips'
 * swimlane on the level-4 time axis.
 */
public final class RunReport {
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"};
    private static final int WIDTH = 1200;
    private static final int LABEL = 110;
    private static final int LANE = 22;

    private RunReport() {
    }

    /** Writes the report of {@code trace} to {@code file}, replacing it. */
    public static void write(Path file, RunTrace trace) throws IOException {
        Files.writeString(file, html(trace), StandardCharsets.UTF_8);
    }

    /** The report of {@code trace} as an HTML document. */
    public static String html(RunTrace trace) {
        StringBuilder b = new StringBuilder(4096 + trace.tasks().size() * 160);
        long wall = Math.max(1, trace.wallNanos());
        CriticalPath critical = CriticalPath.of(trace.tasks());
        Set<Integer> onPath = new HashSet<>(critical.slots());
        Map<String, String> colours = new LinkedHashMap<>();
        Map<String, List<Long>> durations = new LinkedHashMap<>();
        Map<String, Long> busy = new LinkedHashMap<>();
        trace.workers().forEach(w -> busy.put(w, 0L));
        long ran = 0;
        long failed = 0;
        long skipped = 0;
        for (TaskTrace t : trace.tasks()) {
            colours.computeIfAbsent(t.callable(), c -> PALETTE[colours.size() % PALETTE.length]);
            if (t.status() == TaskStatus.SKIPPED) {
                skipped++;
            } else if (t.status() == TaskStatus.FAILED) {
                failed++;
            }
            if (t.ran()) {
                ran++;
                durations.computeIfAbsent(t.callable(), c -> new ArrayList<>()).add(t.durationNanos());
                busy.merge(t.worker(), t.durationNanos(), Long::sum);
            }
        }
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Strata run ")
                .append(trace.run()).append(" report</title>\n<style>\n")
                .append("body{font:14px sans-serif;margin:20px;color:#222}table{border-collapse:collapse;margin:8px 0}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}")
                .append("td:first-child,th:first-child{text-align:left}.key{display:inline-block;width:12px;")
                .append("height:12px;margin:0 4px 0 12px;vertical-align:middle}rect.critical{stroke:#000;")
                .append("stroke-width:1.5}text{font:11px sans-serif}\n</style></head><body>\n");
        b.append("<h1>Strata run ").append(trace.run()).append("</h1>\n<p>node ").append(esc(trace.node()))
                .append(" &middot; ").append(trace.tasks().size()).append(" task members (").append(ran)
                .append(" ran, ").append(failed).append(" failed, ").append(skipped).append(" skipped) &middot; wall ")
                .append(ms(wall)).append("</p>\n");
        b.append("<div id=\"selfcheck\" hidden data-lanes=\"?\" data-tasks=\"?\"></div>\n");
        swimlane(b, "swimlane", trace.workers(), List.of(trace), trace.startNanos(), wall, colours, onPath, false);
        legend(b, colours, colours.keySet());
        engines(b, trace, wall, colours);
        b.append("<h2>Critical path</h2>\n<p id=\"critical\">").append(critical.slots().size())
                .append(" tasks, ").append(ms(critical.lengthNanos())).append(" of ").append(ms(wall))
                .append(" wall time (").append(pct(critical.lengthNanos(), wall))
                .append("); outlined in black above. Slots: ");
        List<Integer> path = critical.slots();
        for (int i = 0; i < path.size() && i < 50; i++) {
            b.append(i == 0 ? "" : " &rarr; ").append(path.get(i));
        }
        b.append(path.size() > 50 ? " &hellip;" : "").append("</p>\n");
        marks(b, trace);
        b.append("<h2>Callables</h2>\n<table id=\"callables\"><tr><th>callable</th><th>tasks run</th><th>p50</th>")
                .append("<th>p90</th><th>p99</th><th>total</th></tr>\n");
        for (Map.Entry<String, List<Long>> e : durations.entrySet()) {
            List<Long> d = e.getValue();
            d.sort(null);
            long total = d.stream().mapToLong(Long::longValue).sum();
            b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(d.size()).append("</td><td>")
                    .append(ms(percentile(d, 0.50))).append("</td><td>").append(ms(percentile(d, 0.90)))
                    .append("</td><td>").append(ms(percentile(d, 0.99))).append("</td><td>").append(ms(total))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Workers</h2>\n<table id=\"workers\"><tr><th>worker</th><th>busy</th>")
                .append("<th>utilization</th></tr>\n");
        for (Map.Entry<String, Long> e : busy.entrySet()) {
            b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(ms(e.getValue()))
                    .append("</td><td>").append(pct(e.getValue(), wall)).append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Heap ring</h2>\n<table id=\"ring\"><tr><td>size</td><td>")
                .append(trace.heapSizeBytes()).append(" B</td></tr><tr><td>high-water mark</td><td>")
                .append(trace.heapHighWaterBytes()).append(" B (").append(pct(trace.heapHighWaterBytes(),
                        Math.max(1, trace.heapSizeBytes()))).append(")</td></tr><tr><td>back-pressure waits</td><td>")
                .append(trace.backPressureWaits()).append("</td></tr></table>\n");
        b.append("<script>\n(function(){var svg=document.getElementById('swimlane');")
                .append("var check=document.getElementById('selfcheck');")
                .append("check.dataset.lanes=svg.querySelectorAll('g.lane').length;")
                .append("check.dataset.tasks=svg.querySelectorAll('rect.task').length;})();\n</script>\n")
                .append("</body></html>\n");
        return b.toString();
    }

    /** The run's marks (retries, injected faults) in time order, one row each; nothing when there are none. */
    private static void marks(StringBuilder b, RunTrace trace) {
        if (trace.marks().isEmpty()) {
            return;
        }
        b.append("<h2>Marks</h2>\n<table id=\"marks\"><tr><th>at</th><th>worker</th><th>mark</th><th>what</th></tr>\n");
        for (TraceMark m : trace.marks()) {
            b.append("<tr><td>").append(ms(m.nanos() - trace.startNanos())).append("</td><td>").append(esc(m.worker()))
                    .append("</td><td>").append(esc(m.name())).append("</td><td>").append(esc(m.detail()))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n");
    }

    /** One callable's colour key per name in {@code names}. */
    private static void legend(StringBuilder b, Map<String, String> colours, Iterable<String> names) {
        b.append("<p>");
        for (String name : names) {
            b.append("<span class=\"key\" style=\"background:").append(colours.get(name)).append("\"></span>")
                    .append(esc(name));
        }
        b.append("</p>\n");
    }

    /**
     * A level-4 run's engines below, one section each: its chips' busy time and utilisation over this run's
     * wall time (the engine's mean over its chips), its level-3 runs and task members, and its chips' swimlane
     * on this run's time axis. Nothing for a run without runs below.
     */
    private static void engines(StringBuilder b, RunTrace trace, long wall, Map<String, String> colours) {
        if (trace.below().isEmpty()) {
            return;
        }
        Map<String, List<RunTrace>> byEngine = new LinkedHashMap<>();
        trace.below().forEach(r -> byEngine.computeIfAbsent(r.node(), n -> new ArrayList<>()).add(r));
        Set<String> callables = new LinkedHashSet<>();
        b.append("<h2>Engines below</h2>\n<p>").append(byEngine.size()).append(" engines ran ")
                .append(trace.below().size()).append(" level-3 runs; chip utilisation is busy time over this ")
                .append("run's wall time, ").append(ms(wall)).append(".</p>\n");
        int index = 0;
        for (Map.Entry<String, List<RunTrace>> engine : byEngine.entrySet()) {
            List<RunTrace> runs = engine.getValue();
            Map<String, Long> busy = new LinkedHashMap<>();
            runs.forEach(r -> r.workers().forEach(w -> busy.putIfAbsent(w, 0L)));
            long members = 0;
            long ran = 0;
            for (RunTrace r : runs) {
                for (TaskTrace t : r.tasks()) {
                    members++;
                    colours.computeIfAbsent(t.callable(), c -> PALETTE[colours.size() % PALETTE.length]);
                    callables.add(t.callable());
                    if (t.ran()) {
                        ran++;
                        busy.merge(t.worker(), t.durationNanos(), Long::sum);
                    }
                }
            }
            long busyTotal = busy.values().stream().mapToLong(Long::longValue).sum();
            b.append("<h3>").append(esc(engine.getKey())).append("</h3>\n<p id=\"engine-").append(index)
                    .append("\">").append(runs.size()).append(" level-3 runs &middot; ").append(members)
                    .append(" task members (").append(ran).append(" ran) &middot; ").append(busy.size())
                    .append(" chips, mean utilisation ").append(pct(busyTotal, Math.max(1, busy.size()) * wall))
                    .append("</p>\n<table id=\"engine-").append(index).append("-chips\"><tr><th>chip</th>")
                    .append("<th>busy</th><th>utilisation</th></tr>\n");
            for (Map.Entry<String, Long> e : busy.entrySet()) {
                b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(ms(e.getValue()))
                        .append("</td><td>").append(pct(e.getValue(), wall)).append("</td></tr>\n");
            }
            b.append("</table>\n");
            swimlane(b, "engine-" + index + "-swimlane", List.copyOf(busy.keySet()), runs, trace.startNanos(), wall,
                    colours, Set.of(), true);
            index++;
        }
        legend(b, colours, callables);
    }

    /**
     * An SVG with a lane per worker in {@code workers} and a rectangle per member of {@code runs} that ran on one
     * of them, {@code originNanos} at the left edge and {@code wall} wide; members of a slot in {@code onPath}
     * outlined. {@code nameRuns}: tooltips also say which run a member is of (runs below).
     */
    private static void swimlane(StringBuilder b, String id, List<String> workers, List<RunTrace> runs,
                                 long originNanos, long wall, Map<String, String> colours, Set<Integer> onPath,
                                 boolean nameRuns) {
        int height = workers.size() * LANE + 24;
        double scale = (double) (WIDTH - LABEL - 10) / wall;
        b.append("<svg id=\"").append(id).append("\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\">\n");
        Map<String, StringBuilder> lanes = new LinkedHashMap<>();
        Map<String, Integer> laneY = new LinkedHashMap<>();
        for (String w : workers) {
            lanes.put(w, new StringBuilder());
            laneY.put(w, laneY.size() * LANE);
        }
        for (RunTrace run : runs) {
            for (TaskTrace t : run.tasks()) {
                StringBuilder lane = t.ran() ? lanes.get(t.worker()) : null;
                if (lane == null) {
                    continue;
                }
                double x = LABEL + (t.startNanos() - originNanos) * scale;
                double w = Math.max(0.5, t.durationNanos() * scale);
                lane.append("<rect class=\"task").append(onPath.contains(t.slot()) ? " critical" : "")
                        .append("\" x=\"").append(fmt(x)).append("\" y=\"").append(laneY.get(t.worker()) + 3)
                        .append("\" width=\"").append(fmt(w)).append("\" height=\"").append(LANE - 6)
                        .append("\" fill=\"").append(colours.get(t.callable())).append("\"><title>")
                        .append(esc(t.callable())).append(nameRuns ? " run " + run.run() : "")
                        .append(" slot ").append(t.slot()).append(t.groupSize() > 1 ? " member " + t.groupIndex() : "")
                        .append(' ').append(ms(t.durationNanos())).append(' ').append(t.status())
                        .append("</title></rect>\n");
            }
        }
        int i = 0;
        for (Map.Entry<String, StringBuilder> e : lanes.entrySet()) {
            int y = i * LANE;
            b.append("<g class=\"lane\"><rect x=\"0\" y=\"").append(y).append("\" width=\"").append(WIDTH)
                    .append("\" height=\"").append(LANE).append("\" fill=\"").append(i % 2 == 0 ? "#fafafa" : "#f0f0f0")
                    .append("\"/><text x=\"4\" y=\"").append(y + LANE - 7).append("\">").append(esc(e.getKey()))
                    .append("</text>\n").append(e.getValue())
                    .append("</g>\n");
            i++;
        }
        int axis = workers.size() * LANE + 16;
        b.append("<text x=\"").append(LABEL).append("\" y=\"").append(axis).append("\">0</text><text x=\"")
                .append(WIDTH - 80).append("\" y=\"").append(axis).append("\">").append(ms(wall)).append("</text>\n");
        b.append("</svg>\n");
    }

    static long percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    private static String pct(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f %%", 100.0 * part / whole);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
