package dev.strata.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.scheduler.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A known DAG run through a real Worker with tracing on: the Chrome-trace JSON parsed back; and tracing off. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TracedRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void traceJsonHasATrackPerWorkerAnEventPerMemberAndAFlowPerEdge() throws Exception {
        Path file = dir.resolve("trace.json");
        try (Worker w = Worker.builder().numSubWorkers(2).heapRingSize(1 << 20).trace(file).build()) {
            KnownDag dag = new KnownDag(w);
            w.init();
            w.run(dag.task(w));
            JsonNode root = JSON.readTree(file.toFile());
            List<JsonNode> events = new ArrayList<>();
            root.get("traceEvents").forEach(events::add);
            Map<Integer, String> tracks = new HashMap<>();
            List<JsonNode> complete = new ArrayList<>();
            Map<Long, List<JsonNode>> flows = new HashMap<>();
            for (JsonNode e : events) {
                switch (e.get("ph").asText()) {
                    case "M" -> {
                        if (e.get("name").asText().equals("thread_name")) {
                            tracks.put(e.get("tid").asInt(), e.get("args").get("name").asText());
                        }
                    }
                    case "X" -> complete.add(e);
                    case "s", "f" -> flows.computeIfAbsent(e.get("id").asLong(), k -> new ArrayList<>()).add(e);
                    default -> throw new AssertionError("unexpected event " + e);
                }
            }
            assertEquals(Map.of(1, "sub worker 0", 2, "sub worker 1"), tracks);
            assertEquals(KnownDag.MEMBERS, complete.size());
            assertEquals(KnownDag.EDGES, flows.size());
            Set<String> names = new HashSet<>();
            for (JsonNode x : complete) {
                names.add(x.get("name").asText());
                assertTrue(tracks.containsKey(x.get("tid").asInt()), x::toString);
                assertTrue(x.get("dur").asDouble() >= 0, x::toString);
                JsonNode args = x.get("args");
                assertEquals("COMPLETED", args.get("status").asText());
                assertTrue(args.get("submit_us").asDouble() <= args.get("dispatch_us").asDouble(), x::toString);
                assertTrue(args.get("dispatch_us").asDouble() <= x.get("ts").asDouble(), x::toString);
                assertTrue(args.has("ready_us") && args.has("early_dispatch") && args.has("group_index"));
            }
            assertEquals(Set.of("sub#0", "sub#1"), names);
            for (List<JsonNode> pair : flows.values()) {
                assertEquals(2, pair.size(), pair::toString);
                JsonNode s = pair.get(0).get("ph").asText().equals("s") ? pair.get(0) : pair.get(1);
                JsonNode f = s == pair.get(0) ? pair.get(1) : pair.get(0);
                assertEquals("f", f.get("ph").asText());
                assertEquals("e", f.get("bp").asText());
                assertTrue(s.get("ts").asDouble() <= f.get("ts").asDouble(), pair::toString);
            }
            JsonNode join = complete.stream().filter(x -> x.get("name").asText().equals("sub#1")).findFirst()
                    .orElseThrow();
            assertEquals(2, join.get("args").get("producers").size());

            RunTrace trace = w.lastRunTrace();
            assertEquals(KnownDag.MEMBERS, trace.tasks().size());
            assertEquals(List.of("sub worker 0", "sub worker 1"), trace.workers());
            assertEquals(KnownDag.CRITICAL_TASKS, CriticalPath.of(trace.tasks()).slots().size());
            assertTrue(trace.node().startsWith("pekko://"), trace.node());
        }
    }

    @Test
    void laterRunsGetANumberedFile() throws Exception {
        Path file = dir.resolve("runs.json");
        try (Worker w = Worker.builder().numSubWorkers(2).heapRingSize(1 << 20).trace(file).build()) {
            KnownDag dag = new KnownDag(w);
            w.init();
            w.run(dag.task(w));
            w.run(dag.task(w));
            assertTrue(Files.isRegularFile(file));
            assertTrue(Files.isRegularFile(dir.resolve("runs-2.json")));
            assertEquals(2, w.lastRunTrace().run());
        }
    }

    @Test
    void tracingOffWritesNoFileAndRecordsNothing() throws Exception {
        boolean existedBefore = Files.exists(Path.of("strata-trace.json"));
        try (Worker w = Worker.builder().numSubWorkers(2).heapRingSize(1 << 20).build()) {
            KnownDag dag = new KnownDag(w);
            w.init();
            w.run(dag.task(w));
            assertFalse(w.settings().trace().enabled());
            assertNull(w.lastRunTrace());
            assertEquals(0, w.lastRun().tracedTasks(), "tracing off records nothing");
            assertEquals(5, w.lastRun().completedTasks());
        }
        assertEquals(existedBefore, Files.exists(Path.of("strata-trace.json")));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }
}
