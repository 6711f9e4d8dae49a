package dev.strata.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.TaskError;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scheduler's trace recorder, driven directly: no actors, no clocks. */
@Timeout(10)
class TraceRecorderTest {
    private final TraceRecorder r = new TraceRecorder();

    @Test
    void singleTaskRecordsEveryStep() {
        r.submitted(0, "gemm", 1, new int[0], 10);
        r.ready(0, 20);
        r.dispatched(0, 0, "chip 1", 30, false);
        r.memberDone(0, 0, 40, 90, null, false);
        List<TaskTrace> t = r.finish();
        assertEquals(List.of(new TaskTrace(0, 0, 1, "gemm", "chip 1", new int[0], 10, 20, 30, 40, 90, false,
                TaskStatus.COMPLETED)), t);
        assertTrue(t.get(0).ran());
        assertEquals(50, t.get(0).durationNanos());
    }

    @Test
    void producersAreKeptAndReadyIsTheFirstTimeOnly() {
        r.submitted(3, "sub#1", 1, new int[] {1, 2}, 5);
        r.ready(3, 50);
        r.ready(3, 70);
        TaskTrace t = finishOne(3);
        assertArrayEquals(new int[] {1, 2}, t.producers());
        assertEquals(50, t.readyNanos());
    }

    @Test
    void groupGivesOneRecordPerMember() {
        r.submitted(2, "sub#0", 3, new int[] {1}, 1);
        r.ready(2, 2);
        for (int m = 0; m < 3; m++) {
            r.dispatched(2, m, "sub worker " + m, 3, false);
            r.memberDone(2, m, 10 + m, 20 + m, null, false);
        }
        List<TaskTrace> t = r.finish();
        assertEquals(3, t.size());
        for (int m = 0; m < 3; m++) {
            assertEquals(m, t.get(m).groupIndex());
            assertEquals(3, t.get(m).groupSize());
            assertEquals("sub worker " + m, t.get(m).worker());
            assertEquals(10 + m, t.get(m).startNanos());
        }
    }

    @Test
    void failedMemberIsFailedAndTheOthersCompleted() {
        r.submitted(0, "sub#0", 2, new int[0], 1);
        r.dispatched(0, 0, "sub worker 0", 2, false);
        r.dispatched(0, 1, "sub worker 1", 2, false);
        r.memberDone(0, 0, 3, 4, TaskError.of(new IllegalStateException("boom")), false);
        r.memberDone(0, 1, 3, 5, null, false);
        List<TaskTrace> t = r.finish();
        assertEquals(TaskStatus.FAILED, t.get(0).status());
        assertTrue(t.get(0).ran());
        assertEquals(TaskStatus.COMPLETED, t.get(1).status());
    }

    @Test
    void taskSkippedBeforeDispatchHasNoWorkerAndDidNotRun() {
        r.submitted(5, "sub#2", 1, new int[] {4}, 1);
        TaskTrace t = finishOne(5);
        assertEquals(TaskStatus.SKIPPED, t.status());
        assertEquals("", t.worker());
        assertFalse(t.ran());
        assertEquals(0, t.durationNanos());
    }

    @Test
    void earlyDispatchSkippedByItsWorkerKeepsTheWorkerAndTheEarlyMark() {
        r.submitted(1, "sub#0", 1, new int[] {0}, 1);
        r.dispatched(1, 0, "sub worker 0", 2, true);
        r.ready(1, 9); // the producer's completion reached the scheduler after the early dispatch
        r.memberDone(1, 0, 7, 7, null, true);
        TaskTrace t = finishOne(1);
        assertTrue(t.early());
        assertTrue(t.dispatchNanos() < t.readyNanos());
        assertEquals(TaskStatus.SKIPPED, t.status());
        assertEquals("sub worker 0", t.worker());
        assertFalse(t.ran());
    }

    @Test
    void finishForgetsTheRun() {
        r.submitted(0, "a", 1, new int[0], 1);
        assertEquals(1, r.finish().size());
        assertEquals(0, r.size());
        assertEquals(List.of(), r.finish());
    }

    @Test
    void eventsForUnknownSlotsAreIgnored() {
        r.ready(9, 1);
        r.dispatched(9, 0, "chip 0", 2, false);
        r.memberDone(9, 0, 3, 4, null, false);
        assertEquals(List.of(), r.finish());
    }

    private TaskTrace finishOne(int slot) {
        List<TaskTrace> t = r.finish();
        assertEquals(1, t.size());
        assertEquals(slot, t.get(0).slot());
        return t.get(0);
    }
}
