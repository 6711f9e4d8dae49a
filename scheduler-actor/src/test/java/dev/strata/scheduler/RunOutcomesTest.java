package dev.strata.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.strata.cluster.NodeTaskCounts;
import dev.strata.dispatch.SchedulerActor.FailureReport;
import dev.strata.dispatch.SchedulerActor.RunOutcome;
import dev.strata.protocol.TaskError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RunOutcomesTest {
    private static final FailureReport GEMM_FAILED = new FailureReport(7, "gemm", "chip 1", 0,
            TaskError.of(new ArithmeticException("singular")));
    private static final FailureReport MEMBER_FAILED = new FailureReport(9, "sub#2", "sub worker 0", 3,
            TaskError.of(new IllegalStateException("no")));

    private static RunOutcome outcome(List<FailureReport> failures, long skipped) {
        return new RunOutcome(failures, 10, skipped, 1, failures.size(), List.of());
    }

    @Test
    void aCleanRunThrowsNothing() {
        assertNull(RunOutcomes.failure(outcome(List.of(), 0), null));
    }

    @Test
    void theFirstTaskFailureIsThrownNamingSlotCallableWorkerAndWhatElseHappened() {
        TaskFailedException e = RunOutcomes.failure(outcome(List.of(GEMM_FAILED, MEMBER_FAILED), 4), null);
        assertEquals(7, e.taskSlot());
        assertEquals("gemm", e.callableName());
        assertEquals("task slot 7 (gemm on chip 1) failed: java.lang.ArithmeticException: singular"
                + " (1 more failure(s)); 4 dependent task(s) skipped", e.getMessage());
        assertInstanceOf(TaskError.RemoteTaskException.class, e.getCause());
    }

    @Test
    void aGroupMemberIsNamed() {
        TaskFailedException e = RunOutcomes.failure(outcome(List.of(MEMBER_FAILED), 0), null);
        assertTrue(e.getMessage().startsWith("task slot 9 member 3 (sub#2 on sub worker 0)"), e.getMessage());
    }

    @Test
    void anOrchFnFailureWinsAndCarriesTheTaskFailuresSuppressed() {
        Exception orch = new java.io.IOException("gave up");
        TaskFailedException e = RunOutcomes.failure(outcome(List.of(GEMM_FAILED), 0), orch);
        assertEquals(-1, e.taskSlot());
        assertEquals("orch", e.callableName());
        assertSame(orch, e.getCause());
        assertEquals(1, e.getSuppressed().length);
        assertEquals(7, ((TaskFailedException) e.getSuppressed()[0]).taskSlot());
    }

    @Test
    void theSummaryCopiesCountsAndFailures() {
        RunSummary s = RunOutcomes.summary(outcome(List.of(MEMBER_FAILED), 2), Map.of());
        assertEquals(new RunSummary(10, 1, 2, 1, 0, List.of(new RunSummary.TaskFailure(9, "sub#2", "sub worker 0", 3,
                IllegalStateException.class.getName(), "no"))), s);
        assertTrue(s.tasksByNode().isEmpty(), "no worker node ran anything");
    }

    @Test
    void theSummaryGathersEachNodesTasksRetriesAndBytesInNodeOrder() {
        NodeTaskCounts counts = new NodeTaskCounts();
        counts.ran(0, "pekko://strata@127.0.0.1:25522");
        counts.shipped("pekko://strata@127.0.0.1:25522", 100, 40);
        counts.ran(1, "pekko://strata@127.0.0.1:25521");
        counts.ran(1, "pekko://strata@127.0.0.1:25521");
        counts.retried(2, "pekko://strata@127.0.0.1:25523"); // lost its attempt and ran nothing
        RunSummary s = RunOutcomes.summary(outcome(List.of(), 0), RunOutcomes.nodeWork(counts));
        assertEquals(List.of("127.0.0.1:25521", "127.0.0.1:25522", "127.0.0.1:25523"),
                List.copyOf(s.nodes().keySet()));
        assertEquals(new RunSummary.NodeWork(1, 0, 100, 40), s.nodes().get("127.0.0.1:25522"));
        assertEquals(new RunSummary.NodeWork(0, 1, 0, 0), s.nodes().get("127.0.0.1:25523"));
        assertEquals(Map.of("127.0.0.1:25521", 2L, "127.0.0.1:25522", 1L), s.tasksByNode(),
                "only nodes that ran a task");
        assertEquals(1, s.retries());
    }

    @Test
    void wallTimeIsPrintedInMillisecondsWithThreeDecimals() {
        assertEquals("162.489", RunOutcomes.millis(162_489_999));
        assertEquals("0.005", RunOutcomes.millis(5_000));
        assertEquals("12.050", RunOutcomes.millis(12_050_000));
        assertEquals("3600000.000", RunOutcomes.millis(3_600_000_000_000L));
        assertEquals("0.000", RunOutcomes.millis(-1));
    }

    @Test
    void manyFailuresAreLoggedUpToTheLimitThenCounted() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
                RunOutcomesTest.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        log.addAppender(lines);
        log.setLevel(Level.INFO);
        log.setAdditive(false);
        List<FailureReport> failures = new ArrayList<>();
        for (int i = 0; i < RunOutcomes.MAX_LOGGED_FAILURES + 5; i++) {
            failures.add(GEMM_FAILED);
        }
        RunOutcomes.logEnd(log, 3, "level-3 engine (2 chip, 0 sub workers)", outcome(failures, 0), 2_500_000,
                new IllegalStateException("orch"));
        List<String> text = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(RunOutcomes.MAX_LOGGED_FAILURES + 3, text.size(), text.toString());
        assertEquals("run 3: 5 more task failure(s) not logged", text.get(RunOutcomes.MAX_LOGGED_FAILURES));
        assertTrue(text.get(RunOutcomes.MAX_LOGGED_FAILURES + 1).contains("orchestration function failed"));
        assertEquals("run 3 finished in 2.500 ms on level-3 engine (2 chip, 0 sub workers): 10 tasks, 25 failed, "
                + "0 skipped", text.get(text.size() - 1));
        assertEquals(Level.INFO, lines.list.get(lines.list.size() - 1).getLevel());
    }
}
