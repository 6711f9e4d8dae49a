package dev.strata.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.process.RoundTripStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine's chip round trips: reported per run from the engine's own stats, which start afresh. */
@Timeout(10)
class ChipRoundTripMetricsTest {

    private static EngineMetrics metrics(RoundTripStats stats) {
        return new EngineMetrics(1, new ProgressCounters(), () -> 0, 1 << 20, () -> 0, stats, new TaskLatencies());
    }

    private static void finishRun(EngineMetrics m) {
        m.runFinished(1, 0, 0, 0, 0, 0, 1_000);
    }

    @Test
    void lastRunReportsThatRunsRoundTripsAndStartsTheNextRunEmpty() {
        RoundTripStats stats = new RoundTripStats();
        EngineMetrics m = metrics(stats);
        for (int i = 0; i < 99; i++) {
            stats.record(10_000);
        }
        stats.record(1_000_000);
        finishRun(m);
        assertEquals(10.0, m.getLastRunChipRoundTripP50Micros(), 10.0 * 0.07);
        assertTrue(m.getLastRunChipRoundTripP99Micros() >= m.getLastRunChipRoundTripP50Micros());
        assertEquals(0, stats.count(), "the stats start afresh for the next run");
        finishRun(m); // a run without chip tasks (THREAD mode, or sub workers only)
        assertEquals(0.0, m.getLastRunChipRoundTripP50Micros());
        assertEquals(0.0, m.getLastRunChipRoundTripP99Micros());
    }

    @Test
    void twoEnginesDoNotShareRoundTrips() {
        RoundTripStats first = new RoundTripStats();
        RoundTripStats second = new RoundTripStats();
        EngineMetrics a = metrics(first);
        EngineMetrics b = metrics(second);
        first.record(50_000);
        finishRun(a);
        finishRun(b);
        assertEquals(50.0, a.getLastRunChipRoundTripP50Micros(), 50.0 * 0.07);
        assertEquals(0.0, b.getLastRunChipRoundTripP50Micros());
    }
}
