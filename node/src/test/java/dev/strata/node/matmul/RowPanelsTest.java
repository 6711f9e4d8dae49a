package dev.strata.node.matmul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The level-4 orch fn: one group, one member per panel, each with its rows of A and C and the whole of B. */
class RowPanelsTest {
    private static final ContinuousTensor A = ContinuousTensor.of(1 << 20, DataType.FLOAT32, 9, 9);
    private static final ContinuousTensor B = ContinuousTensor.of(2 << 20, DataType.FLOAT32, 9, 9);
    private static final ContinuousTensor C = ContinuousTensor.of(3 << 20, DataType.FLOAT32, 9, 9);

    private static TaskArgs args(long panels) {
        return new TaskArgs().addTensor(A, TensorArgType.INPUT).addTensor(B, TensorArgType.INPUT)
                .addTensor(C, TensorArgType.OUTPUT_EXISTING).addScalar(11).addScalar(3).addScalar(4).addScalar(panels);
    }

    @Test
    void oneGroupMemberPerPanelWithItsRowsAndTheLevel3Scalars() {
        RecordingOrchestrator orch = new RecordingOrchestrator();
        CallConfig config = new CallConfig(2, 3, false);
        new RowPanels().run(orch, args(2).view(), config);

        assertEquals(1, orch.submits.size(), "one group: every engine at once");
        RecordingOrchestrator.Submit group = orch.submits.get(0);
        assertEquals(11, group.callable(), "the panel orch fn's id");
        assertEquals(config, group.config());
        assertEquals(2, group.members().size());
        int[] from = {0, 4};
        int[] rows = {4, 5};
        for (int i = 0; i < 2; i++) {
            TaskArgs m = group.members().get(i);
            assertEquals(ContinuousTensor.of(A.data() + from[i] * 9L * 4, DataType.FLOAT32, rows[i], 9), m.tensor(0));
            assertEquals(B, m.tensor(1));
            assertEquals(ContinuousTensor.of(C.data() + from[i] * 9L * 4, DataType.FLOAT32, rows[i], 9), m.tensor(2));
            assertEquals(List.of(TensorArgType.INPUT, TensorArgType.INPUT, TensorArgType.OUTPUT_EXISTING),
                    List.of(m.tag(0), m.tag(1), m.tag(2)), "only the C panel comes back");
            assertEquals(List.of(3L, 4L), List.of(m.scalar(0), m.scalar(1)), "GEMM kernel id, rows per tile");
        }
    }

    @Test
    void badArgumentsFailSayingWhatItExpects() {
        RecordingOrchestrator orch = new RecordingOrchestrator();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RowPanels().run(orch, args(10).view(), CallConfig.DEFAULT));
        assertEquals("level-4 matmul: panels must be between 1 and the rows of C (9), got 10", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RowPanels().run(orch,
                new TaskArgs().addTensor(A, TensorArgType.INPUT).view(), CallConfig.DEFAULT));
        assertTrue(e.getMessage().startsWith("the level-4 matmul orch fn expects 3 tensors (A, B, C) and 4 scalars"),
                e.getMessage());
        assertEquals(List.of(), orch.submits);
    }
}
