package dev.strata.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import dev.strata.trace.TraceMark;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node of the in-JVM cluster crashed at a chosen dispatch: every task waits until the crash is over, so the tasks
 * on the crashed node are lost for certain, run again on the survivor, and the run completes.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterFaultsTest {
    private static final int CHIPS = 4;

    @RegisterExtension
    final StrataExtension strata = StrataExtension.cluster(2);

    /** Waits (bounded) until {@link #crashed} completes, then fills FLOAT32 tensor 0 with scalar 0. */
    public static final class FillAfterCrash implements ChipKernel {
        static volatile CompletableFuture<Void> crashed = CompletableFuture.completedFuture(null);
        private final ChipKernel fill = new TestKernels.Fill();

        @Override
        public void run(TaskContext ctx) throws Exception {
            crashed.get(2, TimeUnit.MINUTES);
            fill.run(ctx);
        }
    }

    @AfterEach
    void release() {
        FillAfterCrash.crashed = CompletableFuture.completedFuture(null);
    }

    @Test
    void crashNodeAtCrashesTheNodeMidRunAndItsTasksRunAgainOnTheSurvivor() {
        Worker head = strata.build(strata.builder().numChipWorkers(CHIPS));
        long fill = head.registerChipCallable("fill-after-crash", new FillAfterCrash());
        head.init();
        FillAfterCrash.crashed = strata.faults().crashNodeAt(1, "fill-after-crash", 1);
        List<ContinuousTensor> ts = IntStream.range(0, CHIPS).mapToObj(i -> head.memory()
                .allocate(DataType.FLOAT32, 4)).toList();
        head.run(Task.of((orch, a, c) -> orch.submitNextLevelGroup(fill, ts.stream().map(t -> new TaskArgs()
                .addTensor(t, TensorArgType.OUTPUT_EXISTING).addScalar(3)).toList(), CallConfig.DEFAULT)));

        assertTrue(strata.cluster().node(1).crashed());
        for (ContinuousTensor t : ts) {
            assertArrayEquals(new float[] {3, 3, 3, 3}, head.memory().readFloats(t));
        }
        String survivor = strata.cluster().node(0).hostPort();
        WhatRan ran = WhatRan.lastRunOf(head).allCompleted().ranOn("fill-after-crash", survivor);
        List<TraceMark> faults = ran.trace().marks().stream().filter(m -> m.name().equals("fault")).toList();
        assertEquals(1, faults.size(), faults.toString());
        assertTrue(faults.get(0).detail().endsWith("crash node 1 (" + strata.cluster().node(1).hostPort() + ")"),
                faults.toString());
        assertTrue(head.lastRun().retries() >= 1, "the crashed node's tasks were dispatched again: "
                + head.lastRun().nodes());
    }
}
