package dev.strata.node.cholesky;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import dev.strata.testkit.StrataExtension;
import dev.strata.testkit.WhatRan;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The worked example of docs/testkit.md: a tiled Cholesky on a two-node in-JVM cluster that loses a node. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CholeskyOnTwoNodesTest {
    @RegisterExtension
    final StrataExtension strata = StrataExtension.cluster(2); // a head and two worker nodes, in this JVM

    @Test
    void theFactorIsRightAfterANodeCrashesMidRun() throws Exception {
        Worker head = strata.build(strata.builder().numChipWorkers(4)); // traced in memory, tags checked
        Map<CholeskyKernel, Long> kernels = new EnumMap<>(CholeskyKernel.class);
        for (CholeskyKernel k : CholeskyKernel.values()) {
            kernels.put(k, head.registerChipCallable(k.kernelName(), k.newKernel()));
        }
        head.init(); // returns once both nodes have joined
        CompletableFuture<Void> crashed = strata.faults().crashNodeAt(1, GemmKernel.NAME, 3);

        int n = 256;
        int tile = 32;
        double[] a = SpdMatrix.random(n, 42);
        TileMatrix m = TileMatrix.allocate(head.memory(), n, tile);
        m.load(a);
        head.run(Task.of((orch, args, cfg) -> {
            for (TileOp op : CholeskyPlan.rightLooking(n / tile)) {
                orch.submitNextLevel(kernels.get(op.kernel()), op.args(m), CallConfig.DEFAULT);
            }
        }));

        crashed.get(1, TimeUnit.MINUTES); // node 1 did crash, when the third GEMM was dispatched
        // Every call completed (none was lost with the node), and no kernel wrote a tile it declared INPUT or NO_DEP.
        WhatRan.lastRunOf(head).allCompleted().tagsRespected();
        assertTrue(SpdMatrix.relativeResidual(a, m.lowerTriangle(), n) < 1e-6, "the factor is right");
    }
}
