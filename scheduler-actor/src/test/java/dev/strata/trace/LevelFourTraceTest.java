package dev.strata.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A level-4 run whose tasks carried level-3 runs on two engines: the Chrome trace draws each engine as its own
 * process with its chips' lanes, and the run report gives each engine's chip utilisation. Times are nanoseconds on
 * the level-4 clock, the run starting at 1 ms.
 */
@Timeout(30)
class LevelFourTraceTest {
    private static final String E0 = "engine 0 @ 127.0.0.1:25521";
    private static final String E1 = "engine 1 @ 127.0.0.1:25522";
    private static final long START = 1_000_000;
    private static final long END = 11_000_000;

    private static TaskTrace task(int slot, String callable, String worker, long start, long end, int... producers) {
        return new TaskTrace(slot, 0, 1, callable, worker, producers, start - 30_000, start - 20_000,
                start - 10_000, start, end, false, TaskStatus.COMPLETED);
    }

    /** Level-4 slot 0 on engine 0 carried engine 0's run 1; slot 1 engine 1's run 1; slot 2 engine 0's run 2. */
    private static final RunTrace LEVEL4 = new RunTrace("head", 1, START, END, List.of(E0, E1), 0, 0, 0, List.of(
            task(0, "panel", E0, 2_000_000, 5_000_000),
            task(1, "panel", E1, 2_500_000, 8_000_000),
            task(2, "update", E0, 6_000_000, 9_000_000, 0)));
    private static final RunTrace E0_RUN1 = new RunTrace("node a", 1, 2_050_000, 4_900_000,
            List.of("chip 0", "chip 1"), 0, 0, 0, List.of(
                    task(0, "gemm", "chip 0", 2_100_000, 3_000_000),
                    task(1, "trsm", "chip 1", 3_100_000, 4_000_000, 0))).named(E0);
    private static final RunTrace E1_RUN1 = new RunTrace("node b", 1, 2_550_000, 7_900_000,
            List.of("chip 0", "chip 1", "chip 2"), 0, 0, 0, List.of(
                    task(0, "gemm", "chip 2", 2_600_000, 7_600_000),
                    new TaskTrace(1, 0, 1, "trsm", "", new int[] {0}, 2_600_000, 0, 0, 0, 0, false,
                            TaskStatus.SKIPPED))).named(E1);
    private static final RunTrace E0_RUN2 = new RunTrace("node a", 2, 6_050_000, 8_900_000,
            List.of("chip 0", "chip 1"), 0, 0, 0, List.of(task(0, "gemm", "chip 0", 6_100_000, 8_500_000)),
            List.of(new TraceMark("chip 1", 7_000_000, "retry", "lost with 127.0.0.1:25521"))).named(E0);
    /** The level-4 slot whose span carried each run below, by engine and run number. */
    private static final Map<String, Integer> CARRIER = Map.of(E0 + " 1", 0, E1 + " 1", 1, E0 + " 2", 2);
    static final RunTrace TRACE = LEVEL4.withBelow(List.of(E0_RUN1, E1_RUN1, E0_RUN2));

    private static List<JsonNode> events(RunTrace trace) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChromeTrace.write(out, trace);
        List<JsonNode> events = new ArrayList<>();
        new ObjectMapper().readTree(out.toByteArray()).get("traceEvents").forEach(events::add);
        return events;
    }

    private static List<JsonNode> of(List<JsonNode> events, String ph, int pid) {
        return events.stream().filter(e -> e.get("ph").asText().equals(ph) && e.get("pid").asInt() == pid).toList();
    }

    private static double micros(long nanos) {
        return (nanos - START) / 1e3;
    }

    @Test
    void eachEngineIsAProcessWithALanePerChipInOrderOfFirstAppearance() throws Exception {
        List<JsonNode> events = events(TRACE);
        Map<Integer, String> processes = new TreeMap<>();
        Map<Integer, Map<Integer, String>> lanes = new TreeMap<>();
        for (JsonNode e : events) {
            if (e.get("ph").asText().equals("M") && e.get("name").asText().equals("process_name")) {
                processes.put(e.get("pid").asInt(), e.get("args").get("name").asText());
            } else if (e.get("ph").asText().equals("M") && e.get("name").asText().equals("thread_name")) {
                lanes.computeIfAbsent(e.get("pid").asInt(), p -> new TreeMap<>())
                        .put(e.get("tid").asInt(), e.get("args").get("name").asText());
            }
        }
        assertEquals(Map.of(1, "strata head run 1", 2, E0, 3, E1), processes);
        assertEquals(Map.of(1, E0, 2, E1), lanes.get(1), "the level-4 run's lanes are its engines");
        assertEquals(Map.of(1, "chip 0", 2, "chip 1"), lanes.get(2));
        assertEquals(Map.of(1, "chip 0", 2, "chip 1", 3, "chip 2"), lanes.get(3));
    }

    @Test
    void levelThreeTasksAreOnTheirEnginesChipLanesOnTheLevelFourClock() throws Exception {
        List<JsonNode> events = events(TRACE);
        List<JsonNode> engine0 = of(events, "X", 2);
        assertEquals(3, engine0.size(), engine0::toString);
        assertEquals(List.of(micros(2_100_000), micros(3_100_000), micros(6_100_000)),
                engine0.stream().map(e -> e.get("ts").asDouble()).toList());
        assertEquals(List.of(1, 2, 1), engine0.stream().map(e -> e.get("tid").asInt()).toList());
        assertEquals(List.of(1, 1, 2), engine0.stream().map(e -> e.get("args").get("run").asInt()).toList());
        assertEquals(List.of("gemm", "trsm", "gemm"), engine0.stream().map(e -> e.get("name").asText()).toList());
        assertEquals(900.0, engine0.get(1).get("dur").asDouble(), 1e-9);
        assertEquals(micros(3_090_000), engine0.get(1).get("args").get("dispatch_us").asDouble(), 1e-9);

        List<JsonNode> engine1 = of(events, "X", 3);
        assertEquals(1, engine1.size(), "the skipped task is not drawn: " + engine1);
        assertEquals(3, engine1.get(0).get("tid").asInt(), "chip 2");
        assertEquals(micros(2_600_000), engine1.get(0).get("ts").asDouble(), 1e-9);

        List<JsonNode> level4 = of(events, "X", 1);
        assertEquals(3, level4.size());
        level4.forEach(e -> assertFalse(e.get("args").has("run"), "a level-4 task names no run below: " + e));
    }

    @Test
    void aLevelThreeTaskLiesInsideTheLevelFourSpanThatCarriedIt() throws Exception {
        List<JsonNode> events = events(TRACE);
        Map<Integer, JsonNode> spans = new HashMap<>();
        of(events, "X", 1).forEach(e -> spans.put(e.get("args").get("slot").asInt(), e));
        Map<Integer, String> engines = Map.of(2, E0, 3, E1);
        int checked = 0;
        for (int pid : engines.keySet()) {
            for (JsonNode task : of(events, "X", pid)) {
                JsonNode span = spans.get(CARRIER.get(engines.get(pid) + " " + task.get("args").get("run").asInt()));
                double ts = task.get("ts").asDouble();
                double spanTs = span.get("ts").asDouble();
                assertTrue(spanTs <= ts && ts + task.get("dur").asDouble() <= spanTs + span.get("dur").asDouble(),
                        task + " inside " + span);
                assertEquals(engines.get(pid), new ArrayList<>(List.of(E0, E1)).get(span.get("tid").asInt() - 1),
                        "the span is on the same engine's lane");
                checked++;
            }
        }
        assertEquals(4, checked);
    }

    @Test
    void flowsAndMarksOfRunsBelowStayOnTheirEnginesProcessWithIdsUniqueInTheFile() throws Exception {
        List<JsonNode> events = events(TRACE);
        Map<Long, List<JsonNode>> flows = new HashMap<>();
        events.stream().filter(e -> Set.of("s", "f").contains(e.get("ph").asText()))
                .forEach(e -> flows.computeIfAbsent(e.get("id").asLong(), k -> new ArrayList<>()).add(e));
        assertEquals(2, flows.size(), "one edge at level 4 (slot 0 -> 2), one below (engine 0 run 1: 0 -> 1)");
        Set<Integer> pids = new HashSet<>();
        for (List<JsonNode> pair : flows.values()) {
            assertEquals(2, pair.size(), pair::toString);
            assertEquals(pair.get(0).get("pid").asInt(), pair.get(1).get("pid").asInt(), pair::toString);
            pids.add(pair.get(0).get("pid").asInt());
        }
        assertEquals(Set.of(1, 2), pids);
        JsonNode s = of(events, "s", 2).get(0);
        JsonNode f = of(events, "f", 2).get(0);
        assertEquals(1, s.get("tid").asInt(), "producer on chip 0");
        assertEquals(2, f.get("tid").asInt(), "consumer on chip 1");
        assertEquals(micros(3_100_000), f.get("ts").asDouble(), 1e-9);

        List<JsonNode> marks = of(events, "i", 2);
        assertEquals(1, marks.size(), marks::toString);
        assertEquals("retry", marks.get(0).get("name").asText());
        assertEquals(2, marks.get(0).get("tid").asInt(), "chip 1 of engine 0");
        assertEquals(micros(7_000_000), marks.get(0).get("ts").asDouble(), 1e-9);
    }

    @Test
    void theLevelFourProcessIsWhatItIsWithoutRunsBelow() throws Exception {
        List<JsonNode> without = events(LEVEL4);
        List<JsonNode> with = events(TRACE).stream().filter(e -> e.get("pid").asInt() == 1).toList();
        assertEquals(without, with);
        assertTrue(without.stream().allMatch(e -> e.get("pid").asInt() == 1), "no process but the run's own");
    }

    private static String pct(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f %%", 100.0 * part / whole);
    }

    private static String row(String chip, long busy, long wall) {
        return "<tr><td>" + chip + "</td><td>" + String.format(Locale.ROOT, "%.3f ms", busy / 1e6) + "</td><td>"
                + pct(busy, wall) + "</td></tr>";
    }

    /** The text of {@code html} from {@code from} to the next {@code to}. */
    private static String section(String html, String from, String to) {
        int i = html.indexOf(from);
        assertTrue(i >= 0, from + " is missing");
        return html.substring(i, html.indexOf(to, i));
    }

    @Test
    void theReportGivesEachEnginesChipUtilisationOverTheLevelFourWallTime() {
        String html = RunReport.html(TRACE);
        long wall = END - START;
        long e0chip0 = (3_000_000 - 2_100_000) + (8_500_000 - 6_100_000);
        long e0chip1 = 4_000_000 - 3_100_000;
        long e1chip2 = 7_600_000 - 2_600_000;

        String engine0 = section(html, "id=\"engine-0-chips\"", "</table>");
        assertTrue(engine0.contains(row("chip 0", e0chip0, wall)), engine0);
        assertTrue(engine0.contains(row("chip 1", e0chip1, wall)), engine0);
        assertTrue(engine0.contains("33.0 %") && engine0.contains("9.0 %"), "the expected figures themselves");
        String summary0 = section(html, "id=\"engine-0\"", "</p>");
        assertTrue(summary0.contains("2 level-3 runs"), summary0);
        assertTrue(summary0.contains("3 task members (3 ran)"), summary0);
        assertTrue(summary0.contains("mean utilisation " + pct(e0chip0 + e0chip1, 2 * wall)), summary0);

        String engine1 = section(html, "id=\"engine-1-chips\"", "</table>");
        assertTrue(engine1.contains(row("chip 0", 0, wall)), engine1);
        assertTrue(engine1.contains(row("chip 1", 0, wall)), engine1);
        assertTrue(engine1.contains(row("chip 2", e1chip2, wall)), engine1);
        String summary1 = section(html, "id=\"engine-1\"", "</p>");
        assertTrue(summary1.contains("1 level-3 runs"), summary1);
        assertTrue(summary1.contains("2 task members (1 ran)"), summary1);
        assertTrue(summary1.contains("mean utilisation " + pct(e1chip2, 3 * wall)), summary1);

        assertTrue(section(html, "<h3>", "</h3>").contains(E0), "engines in order of first appearance");
        assertTrue(html.indexOf("id=\"swimlane\"") < html.indexOf("Engines below"), "after the level-4 swimlane");
        String swim0 = section(html, "id=\"engine-0-swimlane\"", "</svg>");
        assertEquals(3, swim0.split("<rect class=\"task").length - 1, "engine 0's three tasks drawn");
        assertEquals(2, swim0.split("<g class=\"lane\"").length - 1, "a lane per chip");
        assertTrue(swim0.contains("gemm run 2 slot 0"), "a tooltip names its run below");
        String swim1 = section(html, "id=\"engine-1-swimlane\"", "</svg>");
        assertEquals(3, swim1.split("<g class=\"lane\"").length - 1, "idle chips get a lane too");
    }

    @Test
    void aReportWithoutRunsBelowHasNoEngineSection() {
        String html = RunReport.html(LEVEL4);
        assertFalse(html.contains("Engines below"), html);
        assertFalse(html.contains("engine-0"), html);
        assertTrue(html.contains("id=\"swimlane\""));
    }
}
