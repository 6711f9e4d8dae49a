package dev.strata.scheduler;

import dev.strata.worker.WorkerKind;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class EngineTest {

    @Test
    void workersAreNamedChipsFirstInTraceLaneOrder() {
        assertEquals(List.of("chip 0", "chip 1", "sub worker 0"), Engine.workerNames(false, 2, 1));
        assertEquals(List.of(), Engine.workerNames(false, 0, 0));
        assertEquals(List.of("engine 0", "engine 1", "sub worker 0"), Engine.workerNames(true, 2, 1),
                "at level 4 in cluster mode the next-level workers are engines");
    }
}
