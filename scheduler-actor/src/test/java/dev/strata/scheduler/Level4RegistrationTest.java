package dev.strata.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsView;
import org.junit.jupiter.api.Test;

/** {@link Worker#registerOrchFn}: only where engines run below, and only what a node can make by class name. */
class Level4RegistrationTest {
    /** A well-formed orch fn: public, static nested, public no-arg constructor. */
    public static final class Split implements OrchFn {
        @Override
        public void run(Orchestrator orch, TaskArgsView args, CallConfig config) {
        }
    }

    private static Worker worker(int level, boolean cluster) {
        // Not initialised: cluster mode joins nothing before init().
        return Worker.fromConfig(ConfigFactory.parseString("strata.worker.level = " + level
                + "\nstrata.cluster.enabled = " + cluster));
    }

    @Test
    void aLevel4ClusterHeadTakesAnOrchFnClassAndGivesIdsInOrder() {
        try (Worker w = worker(4, true)) {
            assertEquals(0, w.registerOrchFn("split", new Split()));
            assertEquals(1, w.registerOrchFn("split-again", new Split()));
            IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                    () -> w.registerOrchFn("split", new Split()));
            assertTrue(taken.getMessage().contains("already registered"), taken.getMessage());
        }
    }

    @Test
    void aLambdaIsRefusedSayingWhy() {
        try (Worker w = worker(4, true)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> w.registerOrchFn("lambda", (orch, args, config) -> { }));
            assertTrue(e.getMessage().contains("orch fn 'lambda'") && e.getMessage().contains("class name"),
                    e.getMessage());
        }
    }

    @Test
    void withoutEnginesBelowThereIsNothingToRegisterFor() {
        try (Worker w = worker(4, false)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> w.registerOrchFn("split", new Split()));
            assertTrue(e.getMessage().contains("strata.cluster.enabled = false"), e.getMessage());
        }
        try (Worker w = worker(3, true)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> w.registerOrchFn("split", new Split()));
            assertTrue(e.getMessage().contains("strata.worker.level = 3"), e.getMessage());
        }
    }
}
