package dev.strata.node.matmul;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.OrchFn;
import dev.strata.scheduler.Orchestrator;

/**
 * The level-3 orch fn of the level4-matmul job: an engine's share of C = A x B. It cuts its panel into tiles of
 * rows and submits one GEMM chip task per tile to its chips; the tiles are disjoint, so the tasks all run at once.
 * Tensors: 0 = the A panel [p, n], 1 = B [n, m], 2 = the C panel [p, m]. Scalars: 0 = the GEMM chip kernel's id
 * ({@link MatmulKernel}; the head's ids hold on every engine), 1 = rows per tile. The config goes to every chip task.
 *
 * <p>Public with a public no-arg constructor: each worker node makes it by class name.
 */
public final class PanelTiles implements OrchFn {
    /** The name this orch fn is registered under. */
    public static final String NAME = "matmul-panel";

    @Override
    public void run(Orchestrator orch, TaskArgsView args, CallConfig config) {
        if (args.tensorCount() != 3 || args.scalarCount() != 2) {
            throw new IllegalArgumentException(NAME + " expects 3 tensors (A panel, B, C panel) and 2 scalars (GEMM"
                    + " kernel id, rows per tile), got " + args.tensorCount() + " and " + args.scalarCount());
        }
        ContinuousTensor a = args.tensor(0);
        ContinuousTensor b = args.tensor(1);
        ContinuousTensor c = args.tensor(2);
        PanelPlan.requireProduct(NAME, a, b, c);
        long gemm = args.scalar(0);
        long tileRows = args.scalar(1);
        if (tileRows < 1 || tileRows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(NAME + ": rows per tile must be >= 1, got " + tileRows);
        }
        for (PanelPlan.Rows tile : PanelPlan.tiles(a.shape(0), (int) tileRows)) {
            orch.submitNextLevel(gemm, new TaskArgs()
                    .addTensor(PanelPlan.rows(a, tile), TensorArgType.INPUT)
                    .addTensor(b, TensorArgType.INPUT)
                    .addTensor(PanelPlan.rows(c, tile), TensorArgType.OUTPUT_EXISTING), config);
        }
    }
}
