package dev.strata.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.scheduler.RunProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The command line's progress display: its line, in-place updates on a terminal, and a clean stop. */
@Timeout(30)
class ProgressDisplayTest {
    private static final RunProgress ACTIVE = new RunProgress(100, 2, 40, 1, 3, Duration.ofSeconds(4), true);

    @Test
    void lineShowsCountsRateAndElapsed() {
        assertEquals("40/100 tasks done, 2 running, 1 failed, 3 skipped, 0.0 k tasks/s, 4.0 s",
                ProgressDisplay.line(ACTIVE));
    }

    @Test
    void terminalGetsAnInPlaceLineEndedAtClose() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CountDownLatch polled = new CountDownLatch(2);
        ProgressDisplay d = ProgressDisplay.start(() -> {
            polled.countDown();
            return ACTIVE;
        }, new PrintStream(bytes, true, StandardCharsets.UTF_8), true, Duration.ZERO, Duration.ofMillis(5));
        assertTrue(polled.await(10, TimeUnit.SECONDS));
        d.close();
        String s = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.startsWith("\rstrata: 40/100 tasks done") && s.endsWith(System.lineSeparator()), s);
        assertFalse(d.shown(), "close ended the line");
    }

    @Test
    void nothingIsShownBetweenRuns() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CountDownLatch polled = new CountDownLatch(2);
        ProgressDisplay d = ProgressDisplay.start(() -> {
            polled.countDown();
            return RunProgress.NONE;
        }, new PrintStream(bytes, true, StandardCharsets.UTF_8), true, Duration.ZERO, Duration.ofMillis(5));
        assertTrue(polled.await(10, TimeUnit.SECONDS));
        d.close();
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shortRunsShowNothing() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressDisplay d = ProgressDisplay.start(() -> ACTIVE, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                true, RunCommand.PROGRESS_DELAY, Duration.ofMillis(5));
        d.close();
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }
}
