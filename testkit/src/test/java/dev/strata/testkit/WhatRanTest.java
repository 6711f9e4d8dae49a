package dev.strata.testkit;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.scheduler.RunSummary;
import dev.strata.trace.RunTrace;
import dev.strata.trace.TaskStatus;
import dev.strata.trace.TaskTrace;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each assertion on a hand-made trace: passing on a run that did it, failing with what happened instead. */
class WhatRanTest {
    private static final long T0 = 1_000_000;

    /** A member that ran from {@code startMicros} to {@code endMicros} after the run's start. */
    private static TaskTrace ran(int slot, String callable, String worker, long startMicros, long endMicros,
                                 TaskStatus status, int... producers) {
        return new TaskTrace(slot, 0, 1, callable, worker, producers, T0, T0, T0, T0 + startMicros * 1000,
                T0 + endMicros * 1000, false, status);
    }

    private static TaskTrace skipped(int slot, String callable, int... producers) {
        return new TaskTrace(slot, 0, 1, callable, "", producers, T0, 0, 0, 0, 0, false, TaskStatus.SKIPPED);
    }

    private static WhatRan run(List<TaskTrace> tasks, RunSummary.TaskFailure... failures) {
        RunTrace trace = new RunTrace("pekko://strata@127.0.0.1:1", 1, T0, T0 + 1_000_000_000L,
                List.of("chip 0", "chip 1 @ 127.0.0.1:25522"), 1 << 20, 0, 0, tasks);
        return new WhatRan(trace, new RunSummary(tasks.size(), failures.length, 0, 0, tasks.size(),
                List.of(failures)), true);
    }

    /** fill, then two scale tasks on it one after the other, all completed. */
    private static final List<TaskTrace> CLEAN = List.of(
            ran(0, "fill", "chip 0", 0, 10, TaskStatus.COMPLETED),
            ran(1, "scale", "chip 0", 10, 20, TaskStatus.COMPLETED, 0),
            ran(2, "scale", "chip 1 @ 127.0.0.1:25522", 20, 30, TaskStatus.COMPLETED, 1));

    /** fill fails; scale 1 waits for it, scale 2 for scale 1. */
    private static final List<TaskTrace> FAILED = List.of(
            ran(0, "fill", "chip 0", 0, 10, TaskStatus.FAILED),
            skipped(1, "scale", 0),
            skipped(2, "scale", 1));
    private static final RunSummary.TaskFailure FILL_FAILED = new RunSummary.TaskFailure(0, "fill", "chip 0", 0,
            "dev.strata.worker.InjectedFaultException", "injected fault: next call of 'fill'");

    private static String failure(Runnable check) {
        return assertThrows(AssertionError.class, check::run).getMessage();
    }

    @Test
    void allCompletedSaysWhichFailedWithWhatAndWhichWereSkipped() {
        WhatRan clean = run(CLEAN);
        assertSame(clean, clean.allCompleted());
        String m = failure(() -> run(FAILED, FILL_FAILED).allCompleted());
        assertTrue(m.contains("1 failed (task 0 'fill' on chip 0: dev.strata.worker.InjectedFaultException: injected"
                + " fault: next call of 'fill')") && m.contains("2 were skipped (slots 1, 2)"), m);
    }

    @Test
    void skippedFollowsSkippedProducersToTheFailure() {
        run(FAILED, FILL_FAILED).skipped(2, "InjectedFaultException").skipped("scale", "next call of 'fill'");
        String wrongCause = failure(() -> run(FAILED, FILL_FAILED).skipped(2, "OutOfMemory"));
        assertTrue(wrongCause.contains("task 2 was skipped because of task 0 'fill' on chip 0:"
                + " dev.strata.worker.InjectedFaultException"), wrongCause);
        String notSkipped = failure(() -> run(CLEAN).skipped(1, "anything"));
        assertTrue(notSkipped.contains("but task 1 completed on chip 0"), notSkipped);
        String noSuchTask = failure(() -> run(CLEAN).skipped(9, "anything"));
        assertTrue(noSuchTask.contains("has no task 9; its tasks are slots 0, 1, 2"), noSuchTask);
    }

    @Test
    void endedBeforeNamesTheOverlappingPair() {
        run(CLEAN).endedBefore("fill", "scale");
        String m = failure(() -> run(CLEAN).endedBefore("scale", "fill"));
        assertTrue(m.contains("'fill' task 0 started on chip 0 at 0 us while 'scale' task 2 ended on chip 1 @"
                + " 127.0.0.1:25522 at 30 us"), m);
        String missing = failure(() -> run(CLEAN).endedBefore("fill", "gemm"));
        assertTrue(missing.contains("no task of 'gemm'; it ran [fill, scale]"), missing);
    }

    @Test
    void atMostAtOnceCountsOverlapsNotTouchingEnds() {
        List<TaskTrace> overlapping = List.of(
                ran(0, "gemm", "chip 0", 0, 10, TaskStatus.COMPLETED),
                ran(1, "gemm", "chip 1", 5, 15, TaskStatus.COMPLETED),
                ran(2, "gemm", "chip 0", 10, 20, TaskStatus.COMPLETED));
        run(overlapping).atMostAtOnce("gemm", 2);
        run(CLEAN).atMostAtOnce("scale", 1); // one ends at 20 us as the other starts
        String m = failure(() -> run(overlapping).atMostAtOnce("gemm", 1));
        assertTrue(m.contains("but 2 ran at once at 5 us from the run's start: task 0 on chip 0, task 1 on chip 1"),
                m);
    }

    @Test
    void ranOnMatchesALaneOrANode() {
        run(CLEAN).ranOn(0, "chip 0").ranOn(2, "127.0.0.1:25522").ranOn("fill", "chip 0");
        String m = failure(() -> run(CLEAN).ranOn("scale", "chip 0"));
        assertTrue(m.contains("but task 2 (scale) ran on chip 1 @ 127.0.0.1:25522"), m);
        String never = failure(() -> run(FAILED, FILL_FAILED).ranOn(1, "chip 0"));
        assertTrue(never.contains("task 1 (scale) never ran: SKIPPED"), never);
    }
}
