package dev.strata.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class EngineTest {

    @Test
    void workersAreNamedChipsFirstInTraceLaneOrder() {
        assertEquals(List.of("chip 0", "chip 1", "sub worker 0"), Engine.workerNames(2, 1));
        assertEquals(List.of(), Engine.workerNames(0, 0));
    }
}
