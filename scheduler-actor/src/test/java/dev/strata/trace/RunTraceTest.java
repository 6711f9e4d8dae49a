package dev.strata.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

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
}
