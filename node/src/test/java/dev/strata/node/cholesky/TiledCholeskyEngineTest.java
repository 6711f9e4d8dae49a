package dev.strata.node.cholesky;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import dev.strata.testkit.StrataExtension;
import dev.strata.testkit.WhatRan;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The tiled Cholesky example on an engine of the test kit: the factor, how its calls ran, a failure. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TiledCholeskyEngineTest {
    private static final int N = 128;
    private static final int TILE = 32;

    @RegisterExtension
    final StrataExtension strata = StrataExtension.local();

    private final Map<CholeskyKernel, Long> callables = new EnumMap<>(CholeskyKernel.class);

    private Worker engine() {
        Worker w = strata.build(strata.builder().numChipWorkers(2));
        for (CholeskyKernel k : CholeskyKernel.values()) {
            callables.put(k, w.registerChipCallable(k.kernelName(), k.newKernel()));
        }
        w.init();
        return w;
    }

    private void factor(Worker w, TileMatrix m) {
        List<TileOp> plan = CholeskyPlan.rightLooking(N / TILE);
        w.run(Task.of((orch, args, cfg) -> plan.forEach(op -> orch.submitNextLevel(callables.get(op.kernel()),
                op.args(m), CallConfig.DEFAULT))));
    }

    @Test
    void theFactorIsRightAndEachPanelWaitsForItsPotrf() {
        Worker w = engine();
        double[] a = SpdMatrix.random(N, 5);
        TileMatrix m = TileMatrix.allocate(w.memory(), N, TILE);
        m.load(a);
        factor(w, m);
        double residual = SpdMatrix.relativeResidual(a, m.lowerTriangle(), N);
        assertTrue(residual < 1e-6, "residual " + residual);
        // POTRF(k) needs every update of step k-1, which needs POTRF(k-1): no two POTRFs ever overlap.
        WhatRan.lastRunOf(w).allCompleted().atMostAtOnce(PotrfKernel.NAME, 1);
    }

    @Test
    void aFailedFirstPotrfSkipsEveryOtherCall() {
        Worker w = engine();
        TileMatrix m = TileMatrix.allocate(w.memory(), N, TILE);
        m.load(SpdMatrix.random(N, 5));
        strata.faults().failNext(PotrfKernel.NAME);
        assertThrows(TaskFailedException.class, () -> factor(w, m));
        WhatRan.lastRunOf(w).skipped(GemmKernel.NAME, "injected fault").skipped(TrsmKernel.NAME, "injected fault")
                .skipped(SyrkKernel.NAME, "injected fault");
    }
}
