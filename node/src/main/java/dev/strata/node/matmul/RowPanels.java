package dev.strata.node.matmul;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.OrchFn;
import dev.strata.scheduler.Orchestrator;
import java.util.ArrayList;
import java.util.List;

/**
 * The level-4 orch fn of the level4-matmul job, run on the head: cuts C = A x B into one row panel per engine and
 * submits them as one group of {@link PanelTiles}, so every engine gets a panel and they all run at once. Member i
 * ships the rows of panel i of A (INPUT), the whole of B (INPUT) and the rows of panel i of C (OUTPUT_EXISTING: only
 * they come back). Tensors: 0 = A [n, k], 1 = B [k, m], 2 = C [n, m]. Scalars: 0 = the id of {@link PanelTiles}
 * (registered with {@code Worker.registerOrchFn}), 1 = the GEMM chip kernel's id, 2 = rows per tile, 3 = panels.
 */
final class RowPanels implements OrchFn {

    @Override
    public void run(Orchestrator orch, TaskArgsView args, CallConfig config) {
        if (args.tensorCount() != 3 || args.scalarCount() != 4) {
            throw new IllegalArgumentException("the level-4 matmul orch fn expects 3 tensors (A, B, C) and 4 scalars"
                    + " (panel orch fn id, GEMM kernel id, rows per tile, panels), got " + args.tensorCount() + " and "
                    + args.scalarCount());
        }
        ContinuousTensor a = args.tensor(0);
        ContinuousTensor b = args.tensor(1);
        ContinuousTensor c = args.tensor(2);
        PanelPlan.requireProduct("level-4 matmul", a, b, c);
        long panels = args.scalar(3);
        if (panels < 1 || panels > a.shape(0)) {
            throw new IllegalArgumentException("level-4 matmul: panels must be between 1 and the rows of C ("
                    + a.shape(0) + "), got " + panels);
        }
        List<TaskArgs> members = new ArrayList<>();
        for (PanelPlan.Rows panel : PanelPlan.panels(a.shape(0), (int) panels)) {
            members.add(new TaskArgs()
                    .addTensor(PanelPlan.rows(a, panel), TensorArgType.INPUT)
                    .addTensor(b, TensorArgType.INPUT)
                    .addTensor(PanelPlan.rows(c, panel), TensorArgType.OUTPUT_EXISTING)
                    .addScalar(args.scalar(1))
                    .addScalar(args.scalar(2)));
        }
        orch.submitNextLevelGroup(args.scalar(0), members, config);
    }
}
