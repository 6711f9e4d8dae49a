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

    @Test
    void shiftedMovesEveryTimeButLeavesStepsThatDidNotHappenAtZero() {
        TaskTrace skipped = new TaskTrace(1, 0, 1, "gemm", "", new int[] {0}, 2, 0, 0, 0, 0, false,
                TaskStatus.SKIPPED);
        RunTrace below = new RunTrace("engine 0 @ 127.0.0.1:25521", 3, 2, 9, List.of("chip 0"), 0, 0, 0,
                List.of(on("chip 0")), List.of(new TraceMark("chip 0", 5, "retry", "x")));
        RunTrace r = new RunTrace("head", 1, 1, 10, List.of("engine 0 @ 127.0.0.1:25521"), 64, 8, 0,
                List.of(on("engine 0 @ 127.0.0.1:25521"), skipped), List.of(new TraceMark("chip 1", 6, "retry", "y")),
                List.of(below));

        RunTrace moved = r.shifted(1_000);

        assertEquals(1_001, moved.startNanos());
        assertEquals(1_010, moved.endNanos());
        assertEquals(r.wallNanos(), moved.wallNanos());
        TaskTrace t = moved.tasks().get(0);
        assertEquals(List.of(1_001L, 1_002L, 1_003L, 1_004L, 1_005L),
                List.of(t.submitNanos(), t.readyNanos(), t.dispatchNanos(), t.startNanos(), t.endNanos()));
        TaskTrace s = moved.tasks().get(1);
        assertEquals(List.of(1_002L, 0L, 0L, 0L, 0L),
                List.of(s.submitNanos(), s.readyNanos(), s.dispatchNanos(), s.startNanos(), s.endNanos()),
                "a step that did not happen stays 0");
        assertEquals(1_006, moved.marks().get(0).nanos());
        RunTrace movedBelow = moved.below().get(0);
        assertEquals(1_002, movedBelow.startNanos());
        assertEquals(1_009, movedBelow.endNanos());
        assertEquals(1_004, movedBelow.tasks().get(0).startNanos());
        assertEquals(1_005, movedBelow.marks().get(0).nanos());
        assertEquals(below.node(), movedBelow.node());
        assertEquals(r.shifted(-1_000).shifted(1_000), r, "shifting back and forth is the same trace");
        assertSame(r, r.shifted(0));
        assertEquals(r, moved.shifted(-1_000));
    }

    @Test
    void withBelowAppendsRunsInOrderAndNamedRenamesOnlyTheNode() {
        RunTrace a = TRACE.named("engine 0 @ 127.0.0.1:25521");
        RunTrace b = TRACE.named("engine 1 @ 127.0.0.1:25522");
        assertEquals("engine 0 @ 127.0.0.1:25521", a.node());
        assertEquals(TRACE.tasks(), a.tasks());
        assertEquals(TRACE.workers(), a.workers());
        assertEquals(TRACE.run(), a.run());

        RunTrace r = TRACE.withBelow(List.of(a)).withBelow(List.of(b, a));

        assertEquals(List.of(a, b, a), r.below());
        assertEquals(List.of(), TRACE.below(), "a trace is not changed by withBelow");
        assertSame(TRACE, TRACE.withBelow(List.of()));
        assertEquals(r.below(), r.withMarks(List.of(new TraceMark("chip 0", 3, "retry", ""))).below(),
                "marks keep the runs below");
        assertEquals(r.below(), r.withWorkersRenamed(Map.of("chip 0", "chip 0 @ n")).below(),
                "renaming the lanes keeps the runs below");
    }
}
