package dev.strata.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunTraceTest {
    private static TaskTrace on(String worker) {
        return new TaskTrace(0, 0, 1, "gemm", worker, new int[0], 1, 2, 3, 4, 5, false, TaskStatus.COMPLETED);
    }

    private static final RunTrace TRACE = new RunTrace("pekko://strata@127.0.0.1:25520", 1, 0, 10,
            List.of("chip 0", "chip 1", "sub worker 0"), 64, 8, 0, List.of(on("chip 1"), on("sub worker 0"),
            on("chip 0")));

    @Test
    void renamedWorkersChangeInTheLanesAndInTheirTasksOnly() {
        RunTrace r = TRACE.withWorkersRenamed(Map.of("chip 1", "chip 1 @ 127.0.0.1:25522"));
        assertEquals(List.of("chip 0", "chip 1 @ 127.0.0.1:25522", "sub worker 0"), r.workers());
        assertEquals(List.of("chip 1 @ 127.0.0.1:25522", "sub worker 0", "chip 0"),
                r.tasks().stream().map(TaskTrace::worker).toList());
        assertEquals(TRACE.wallNanos(), r.wallNanos());
        assertEquals(TRACE.node(), r.node());
        assertEquals(TRACE.tasks().get(0).endNanos(), r.tasks().get(0).endNanos());
    }

    @Test
    void noRenamesIsTheSameTrace() {
        assertSame(TRACE, TRACE.withWorkersRenamed(Map.of()));
    }

    @Test
    void marksKeepTimeOrderAndFollowTheirWorkersRenaming() {
        RunTrace r = TRACE.withMarks(List.of(new TraceMark("chip 1", 7, "retry", "second")))
                .withMarks(List.of(new TraceMark("chip 1", 4, "retry", "first")))
                .withWorkersRenamed(Map.of("chip 1", "chip 1 @ 127.0.0.1:25522"));
        assertEquals(List.of("first", "second"), r.marks().stream().map(TraceMark::detail).toList());
        assertEquals(List.of("chip 1 @ 127.0.0.1:25522", "chip 1 @ 127.0.0.1:25522"),
                r.marks().stream().map(TraceMark::worker).toList());
        assertSame(TRACE, TRACE.withMarks(List.of()));
    }

    @Test
    void aMarkIsAnInstantEventOnItsWorkersLaneInTheChromeTrace() throws Exception {
        RunTrace r = TRACE.withMarks(List.of(new TraceMark("chip 1", 6, "retry", "lost with 127.0.0.1:25522")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChromeTrace.write(out, r);
        List<JsonNode> instants = new ArrayList<>();
        new ObjectMapper().readTree(out.toByteArray()).get("traceEvents").forEach(e -> {
            if (e.get("ph").asText().equals("i")) {
                instants.add(e);
            }
        });
        assertEquals(1, instants.size(), instants.toString());
        JsonNode retry = instants.get(0);
        assertEquals("retry", retry.get("name").asText());
        assertEquals("t", retry.get("s").asText(), "on its lane, not across the process");
        assertEquals(2, retry.get("tid").asInt(), "chip 1 is the second lane");
        assertEquals(0.006, retry.get("ts").asDouble(), 1e-9, "microseconds from the run's start");
        assertEquals("lost with 127.0.0.1:25522", retry.get("args").get("detail").asText());
    }
}
