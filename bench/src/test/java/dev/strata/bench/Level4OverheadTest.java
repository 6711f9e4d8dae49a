package dev.strata.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.trace.RunTrace;
import dev.strata.trace.TaskStatus;
import dev.strata.trace.TaskTrace;
import java.util.List;
import org.junit.jupiter.api.Test;

class Level4OverheadTest {
    static final String E0 = "engine 0 @ 127.0.0.1:1";
    static final String E1 = "engine 1 @ 127.0.0.1:2";

    private static TaskTrace task(int slot, String worker, long start, long end) {
        return new TaskTrace(slot, 0, 1, "one-kernel", worker, new int[0], start, start, start, start, end, false,
                TaskStatus.COMPLETED);
    }

    private static TaskTrace skipped(int slot) {
        return new TaskTrace(slot, 0, 1, "one-kernel", "", new int[0], 5, 0, 0, 0, 0, false, TaskStatus.SKIPPED);
    }

    private static RunTrace run(String engine, long start, long end) {
        return new RunTrace(engine, 1, start, end, List.of("chip 0"), 0, 0, 0, List.of());
    }

    private static RunTrace level4(List<TaskTrace> tasks, List<RunTrace> below) {
        return new RunTrace("head", 1, 0, 1_000_000_000L, List.of(E0, E1), 0, 0, 0, tasks, List.of(), below);
    }

    @Test
    void eachTaskSpanMinusTheLevel3RunItCarriedSplitAroundTheRunInTimeOrderWhateverOrderTheRunsCameBackIn() {
        RunTrace trace = level4(List.of(task(0, E0, 1_000_000, 3_000_000), task(1, E1, 3_100_000, 4_100_000),
                        task(2, E0, 5_000_000, 9_000_000)),
                // the runs below in the order received
                List.of(run(E1, 3_340_000, 3_840_000), run(E0, 5_040_000, 6_040_000),
                        run(E0, 1_540_000, 2_040_000)));
        Level4Overhead overhead = Level4Overhead.of(trace);
        assertArrayEquals(new double[] {1500, 500, 3000}, overhead.total(), 1e-9);
        assertArrayEquals(new double[] {540, 240, 40}, overhead.before(), 1e-9, "task start to run start");
        assertArrayEquals(new double[] {960, 260, 2960}, overhead.after(), 1e-9, "run end to task end");
    }

    @Test
    void aTaskThatDidNotRunNeedsNoRun() {
        RunTrace trace = level4(List.of(task(0, E0, 0, 2_000), skipped(1)), List.of(run(E0, 500, 1_500)));
        assertArrayEquals(new double[] {1}, Level4Overhead.of(trace).total(), 1e-9);
    }

    @Test
    void aTaskWithoutItsRunIsRefused() {
        RunTrace trace = level4(List.of(task(0, E0, 0, 2_000), task(1, E0, 3_000, 4_000)),
                List.of(run(E0, 500, 1_500)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Level4Overhead.of(trace));
        assertTrue(e.getMessage().contains("2 level-4 tasks ran but 1 level-3 runs"), e.getMessage());
    }

    @Test
    void noTasksAtAllIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Level4Overhead.of(level4(List.of(), List.of())));
    }

    @Test
    void overlappingTasksAreRefusedRatherThanPairedWrongly() {
        RunTrace trace = level4(List.of(task(0, E0, 0, 2_000), task(1, E1, 1_000, 4_000)),
                List.of(run(E0, 500, 1_500), run(E1, 1_500, 3_500)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Level4Overhead.of(trace));
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
    }

    @Test
    void aRunOnAnotherEngineThanItsTaskIsRefused() {
        RunTrace trace = level4(List.of(task(0, E0, 0, 2_000)), List.of(run(E1, 500, 1_500)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Level4Overhead.of(trace));
        assertTrue(e.getMessage().contains(E1), e.getMessage());
    }
}
