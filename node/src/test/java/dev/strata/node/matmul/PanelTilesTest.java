package dev.strata.node.matmul;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The level-3 orch fn: its tiles as submitted, and a whole panel on a real level-3 engine with 2 chips. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PanelTilesTest {
    private static final CallConfig TWO_BLOCKS = new CallConfig(2, 3, false);

    private static TaskArgs panel(ContinuousTensor a, ContinuousTensor b, ContinuousTensor c, long gemm, long rows) {
        return new TaskArgs().addTensor(a, TensorArgType.INOUT).addTensor(b, TensorArgType.INOUT)
                .addTensor(c, TensorArgType.INOUT).addScalar(gemm).addScalar(rows);
    }

    @Test
    void oneGemmTaskPerTileOnDisjointRowViewsWithBWholeAndTheConfigPassedOn() {
        ContinuousTensor a = ContinuousTensor.of(1 << 20, DataType.FLOAT32, 10, 8);
        ContinuousTensor b = ContinuousTensor.of(2 << 20, DataType.FLOAT32, 8, 6);
        ContinuousTensor c = ContinuousTensor.of(3 << 20, DataType.FLOAT32, 10, 6);
        RecordingOrchestrator orch = new RecordingOrchestrator();
        new PanelTiles().run(orch, panel(a, b, c, 7, 4).view(), TWO_BLOCKS);

        assertEquals(3, orch.submits.size(), "rows 0-4, 4-8, 8-10");
        int[] from = {0, 4, 8};
        int[] rows = {4, 4, 2};
        for (int i = 0; i < 3; i++) {
            RecordingOrchestrator.Submit s = orch.submits.get(i);
            assertEquals(7, s.callable(), "the GEMM kernel id it was given");
            assertEquals(TWO_BLOCKS, s.config());
            TaskArgs t = s.members().get(0);
            assertEquals(ContinuousTensor.of(a.data() + from[i] * 8L * 4, DataType.FLOAT32, rows[i], 8), t.tensor(0));
            assertEquals(b, t.tensor(1));
            assertEquals(ContinuousTensor.of(c.data() + from[i] * 6L * 4, DataType.FLOAT32, rows[i], 6), t.tensor(2));
            assertEquals(List.of(TensorArgType.INPUT, TensorArgType.INPUT, TensorArgType.OUTPUT_EXISTING),
                    List.of(t.tag(0), t.tag(1), t.tag(2)));
        }
    }

    @Test
    void badArgumentsFailSayingWhatItExpects() {
        ContinuousTensor m = ContinuousTensor.of(0, DataType.FLOAT32, 4, 4);
        RecordingOrchestrator orch = new RecordingOrchestrator();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PanelTiles().run(orch,
                new TaskArgs().addTensor(m, TensorArgType.INOUT).addScalar(0).view(), CallConfig.DEFAULT));
        assertTrue(e.getMessage().startsWith("matmul-panel expects 3 tensors (A panel, B, C panel) and 2 scalars"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new PanelTiles().run(orch, panel(m, m, m, 0, 0).view(), CallConfig.DEFAULT));
        assertEquals("matmul-panel: rows per tile must be >= 1, got 0", e.getMessage());
        assertEquals(List.of(), orch.submits);
    }

    @Test
    void theNodesCanMakeItByClassName() throws Exception {
        assertTrue(Modifier.isPublic(PanelTiles.class.getModifiers()));
        assertEquals(PanelTiles.class, PanelTiles.class.getConstructor().newInstance().getClass());
    }

    @Test
    void onALevel3EngineWithTwoChipsThePanelComesOutAsTheOneThreadProduct() {
        int rows = 24;
        int n = 16;
        try (Worker engine = Worker.fromConfig(ConfigFactory.parseString(
                "strata.worker { chip-workers = 2, arena-size = 4 MiB, heap-ring-size = 1 MiB }"))) {
            long gemm = engine.registerChipCallable(MatmulKernel.NAME, new MatmulKernel());
            engine.init();
            float[] a = Arrays.copyOf(MatmulMath.random(rows, 1), rows * n);
            float[] b = MatmulMath.random(n, 2);
            ContinuousTensor ta = engine.memory().allocate(DataType.FLOAT32, rows, n);
            ContinuousTensor tb = engine.memory().allocate(DataType.FLOAT32, n, n);
            ContinuousTensor tc = engine.memory().allocate(DataType.FLOAT32, rows, n);
            engine.memory().write(ta, a);
            engine.memory().write(tb, b);
            engine.run(new Task(new PanelTiles(), panel(ta, tb, tc, gemm, 5), TWO_BLOCKS));

            float[] expected = new float[rows * n];
            MatmulMath.multiply(a, b, expected, rows, n, n);
            assertArrayEquals(expected, engine.memory().readFloats(tc));
            assertEquals(5, engine.lastRun().completedTasks(), "tiles of 5, 5, 5, 5 and 4 rows");
        }
    }
}
