package dev.strata.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorArgType;
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

    @Test
    void aLevel5HeadIsRefusedAtRegistrationNotAtItsFirstTask() {
        try (Worker w = worker(5, true)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> w.registerOrchFn("split", new Split()));
            assertTrue(e.getMessage().contains("level-3 engines only"), e.getMessage());
        }
    }

    /** A chip kernel that adds scalar 0 to FLOAT32 tensor 0. */
    public static final class AddScalar implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            java.nio.FloatBuffer t = ctx.memory().floats(ctx.args().tensor(0));
            for (int i = 0; i < t.limit(); i++) {
                t.put(i, t.get(i) + ctx.args().scalar(0));
            }
        }
    }

    @Test
    void withoutTheClusterALevel4WorkerStillRunsChipsTheLevelIsALabel() {
        try (Worker w = Worker.fromConfig(ConfigFactory.parseString("strata.worker { level = 4, chip-workers = 1,"
                + " sub-workers = 1, arena-size = 1 MiB, heap-ring-size = 1 MiB }\nstrata.trace.enabled = true\n"
                + "strata.trace.file = \"\""))) {
            long add = w.registerChipCallable("add", new AddScalar());
            w.init();
            ContinuousTensor t = w.memory().allocate(DataType.FLOAT32, 2);
            w.run(Task.of((orch, args, cfg) -> orch.submitNextLevel(add, new TaskArgs()
                    .addTensor(t, TensorArgType.INOUT).addScalar(3), CallConfig.DEFAULT)));
            assertEquals(3, w.memory().readFloats(t)[0]);
            assertEquals("chip 0", w.lastRunTrace().tasks().get(0).worker(), "its next-level workers are chips");
        }
    }
}
