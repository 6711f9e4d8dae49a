package dev.strata.scheduler;

import static dev.strata.protocol.TensorArgType.INPUT;
import static dev.strata.protocol.TensorArgType.NO_DEP;
import static dev.strata.protocol.TensorArgType.OUTPUT_EXISTING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tag checker ({@code strata.check.tags = on}) in a single-node engine, where the kernel runs: on the chip's
 * thread (THREAD mode), in the chip's child JVM (PROCESS mode), on a sub worker.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TagCheckRunTest {

    /** Copies tensor 0 (INPUT) into tensor 1 (OUTPUT_EXISTING): true to its tags. */
    public static final class Copy implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer in = ctx.memory().floats(ctx.args().tensor(0));
            FloatBuffer out = ctx.memory().floats(ctx.args().tensor(1));
            out.put(0, in.get(0) + 1);
        }
    }

    /** Copies as {@link Copy} does, and also bumps tensor 0 (declared INPUT): the bug the checker is for. */
    public static final class WritesItsInput implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer in = ctx.memory().floats(ctx.args().tensor(0));
            ctx.memory().floats(ctx.args().tensor(1)).put(0, in.get(0));
            in.put(0, in.get(0) + 1);
        }
    }

    private static Worker worker(WorkerMode mode, boolean checkTags) {
        return Worker.builder().mode(mode).numChipWorkers(1).numSubWorkers(1).heapRingSize(1 << 20)
                .checkTags(checkTags).build();
    }

    @ParameterizedTest
    @EnumSource(WorkerMode.class)
    void aKernelWritingItsInputFailsItsTaskItsDependentsAreSkippedAndTheWorkerStaysUsable(WorkerMode mode) {
        try (Worker w = worker(mode, true)) {
            long copy = w.registerChipCallable("copy", new Copy());
            long bad = w.registerChipCallable("writes-input", new WritesItsInput());
            w.init();
            ContinuousTensor a = w.memory().allocate(DataType.FLOAT32, 8);
            ContinuousTensor b = w.memory().allocate(DataType.FLOAT32, 8);
            ContinuousTensor c = w.memory().allocate(DataType.FLOAT32, 8);
            int[] badSlot = new int[1];
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> w.run(Task.of((orch, x, y) -> {
                badSlot[0] = orch.submitNextLevel(bad, new TaskArgs().addTensor(a, INPUT)
                        .addTensor(b, OUTPUT_EXISTING), CallConfig.DEFAULT).taskSlot();
                orch.submitNextLevel(copy, new TaskArgs().addTensor(b, INPUT).addTensor(c, OUTPUT_EXISTING),
                        CallConfig.DEFAULT); // depends on the failed task
            })));
            String m = e.getMessage();
            assertTrue(m.contains("INPUT") && m.contains("declared INPUT but written by the callable"), m);
            assertTrue(m.contains("task slot " + badSlot[0]) && m.contains("'writes-input'"), m);
            assertTrue(m.contains("tensor 0 of its args") && m.contains("0x" + Long.toHexString(a.data()))
                    && m.contains(a.nbytes() + " bytes"), m);
            assertEquals("writes-input", e.callableName());
            assertEquals(badSlot[0], e.taskSlot());
            assertEquals(1, w.lastRun().skippedTasks(), "the dependent copy did not run");

            // A correct run afterwards succeeds and is silent.
            w.run(Task.of((orch, x, y) -> orch.submitNextLevel(copy, new TaskArgs().addTensor(a, INPUT)
                    .addTensor(c, OUTPUT_EXISTING), CallConfig.DEFAULT)));
            assertEquals(w.memory().floats(a).get(0) + 1, w.memory().floats(c).get(0));
            assertEquals(List.of(), w.lastRun().warnings());
        }
    }

    @ParameterizedTest
    @EnumSource(WorkerMode.class)
    void aKernelWritingItsNoDepTensorRunsAndLeavesAWarningInTheSummary(WorkerMode mode) {
        try (Worker w = worker(mode, true)) {
            long bad = w.registerChipCallable("accumulate", new WritesItsInput());
            w.init();
            ContinuousTensor a = w.memory().allocate(DataType.FLOAT32, 8);
            ContinuousTensor b = w.memory().allocate(DataType.FLOAT32, 8);
            int[] slot = new int[1];
            w.run(Task.of((orch, x, y) -> slot[0] = orch.submitNextLevel(bad, new TaskArgs().addTensor(a, NO_DEP)
                    .addTensor(b, OUTPUT_EXISTING), CallConfig.DEFAULT).taskSlot()));
            List<String> warnings = w.lastRun().warnings();
            assertEquals(1, warnings.size(), warnings.toString());
            String warning = warnings.get(0);
            assertTrue(warning.contains("task slot " + slot[0]) && warning.contains("chip 0")
                    && warning.contains("'accumulate'") && warning.contains("NO_DEP")
                    && warning.contains("tensor 0 of its args"), warning);
            assertEquals(0, w.lastRun().failedTasks());
        }
    }

    @Test
    void aSubCallableWritingItsInputFailsNamedAsItsFailureReportNamesIt() {
        try (Worker w = worker(WorkerMode.THREAD, true)) {
            int sub = w.register(ctx -> ctx.memory().floats(ctx.args().tensor(0)).put(3, 9f));
            w.init();
            ContinuousTensor a = w.memory().allocate(DataType.FLOAT32, 8);
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> w.run(Task.of((orch, x, y) ->
                    orch.submitSub(sub, new TaskArgs().addTensor(a, INPUT)))));
            assertTrue(e.getMessage().contains("'sub#" + sub + "'") && e.getMessage().contains("INPUT"),
                    e.getMessage());
            assertEquals("sub#" + sub, e.callableName());
        }
    }

    @Test
    void withTheCheckOffAWrittenInputGoesUnnoticed() {
        try (Worker w = worker(WorkerMode.THREAD, false)) {
            long bad = w.registerChipCallable("writes-input", new WritesItsInput());
            w.init();
            ContinuousTensor a = w.memory().allocate(DataType.FLOAT32, 8);
            ContinuousTensor b = w.memory().allocate(DataType.FLOAT32, 8);
            w.run(Task.of((orch, x, y) -> orch.submitNextLevel(bad, new TaskArgs().addTensor(a, INPUT)
                    .addTensor(b, NO_DEP), CallConfig.DEFAULT)));
            assertEquals(1f, w.memory().floats(a).get(0), "the kernel did write it");
            assertEquals(List.of(), w.lastRun().warnings());
        }
    }
}
