package dev.strata.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The longest chain of dependent tasks by duration. */
@Timeout(10)
class CriticalPathTest {

    private static TaskTrace ran(int slot, int member, int members, long start, long end, int... producers) {
        return new TaskTrace(slot, member, members, "k", "w" + member, producers, 0, 0, 0, start, end, false,
                TaskStatus.COMPLETED);
    }

    @Test
    void diamondFollowsTheLongerBranch() {
        List<TaskTrace> t = List.of(ran(0, 0, 1, 0, 10), ran(1, 0, 1, 10, 15, 0), ran(2, 0, 1, 10, 40, 0),
                ran(3, 0, 1, 40, 45, 1, 2));
        CriticalPath p = CriticalPath.of(t);
        assertEquals(List.of(0, 2, 3), p.slots());
        assertEquals(10 + 30 + 5, p.lengthNanos());
    }

    @Test
    void groupWeighsFromFirstStartToLastEnd() {
        List<TaskTrace> t = List.of(ran(0, 0, 1, 0, 5), ran(1, 0, 2, 5, 10, 0), ran(1, 1, 2, 6, 25, 0));
        assertEquals(5 + 20, CriticalPath.of(t).lengthNanos());
    }

    @Test
    void independentTasksGiveTheLongestOne() {
        CriticalPath p = CriticalPath.of(List.of(ran(0, 0, 1, 0, 5), ran(1, 0, 1, 0, 9)));
        assertEquals(List.of(1), p.slots());
    }

    @Test
    void emptyTraceHasAnEmptyPath() {
        assertEquals(new CriticalPath(List.of(), 0), CriticalPath.of(List.of()));
    }
}
