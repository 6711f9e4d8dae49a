package dev.strata.node.matmul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.node.matmul.PanelPlan.Rows;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;

class PanelPlanTest {

    @Test
    void panelsSplitTheRowsEvenlyAndCoverThemOnce() {
        assertEquals(List.of(new Rows(0, 256), new Rows(256, 512)), PanelPlan.panels(512, 2));
        assertEquals(List.of(new Rows(0, 3), new Rows(3, 6), new Rows(6, 10)), PanelPlan.panels(10, 3));
        assertEquals(List.of(new Rows(0, 1)), PanelPlan.panels(1, 1));
        assertThrows(IllegalArgumentException.class, () -> PanelPlan.panels(2, 3), "a panel of no rows");
        assertThrows(IllegalArgumentException.class, () -> PanelPlan.panels(2, 0));
    }

    @Test
    void tilesHaveTileRowsAndTheLastOneTheRest() {
        assertEquals(List.of(new Rows(0, 64), new Rows(64, 128)), PanelPlan.tiles(128, 64));
        assertEquals(List.of(new Rows(0, 4), new Rows(4, 8), new Rows(8, 10)), PanelPlan.tiles(10, 4));
        assertEquals(List.of(new Rows(0, 5)), PanelPlan.tiles(5, 64));
        assertEquals(List.of(), PanelPlan.tiles(0, 4));
        assertThrows(IllegalArgumentException.class, () -> PanelPlan.tiles(10, 0));
        assertEquals(3, new Rows(4, 7).count());
        assertThrows(IllegalArgumentException.class, () -> new Rows(5, 4));
    }

    @Test
    void rowsAreAViewAtTheirOffsetWithTheMatrixWidth() {
        ContinuousTensor m = ContinuousTensor.of(4096, DataType.FLOAT32, 10, 6);
        ContinuousTensor rows = PanelPlan.rows(m, new Rows(3, 7));
        assertEquals(ContinuousTensor.of(4096 + 3 * 6 * 4, DataType.FLOAT32, 4, 6), rows);
        assertThrows(IllegalArgumentException.class, () -> PanelPlan.rows(m, new Rows(8, 11)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PanelPlan.rows(ContinuousTensor.of(0, DataType.INT32, 10, 6), new Rows(0, 1)));
        assertTrue(e.getMessage().contains("2-D FLOAT32"), e.getMessage());
    }

    @Test
    void aProductNeedsShapesThatFitAndSaysWhichDoNot() {
        ContinuousTensor a = ContinuousTensor.of(0, DataType.FLOAT32, 4, 3);
        ContinuousTensor b = ContinuousTensor.of(0, DataType.FLOAT32, 3, 5);
        PanelPlan.requireProduct("x", a, b, ContinuousTensor.of(0, DataType.FLOAT32, 4, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PanelPlan.requireProduct("x", a, b, ContinuousTensor.of(0, DataType.FLOAT32, 4, 4)));
        assertEquals("x: shapes do not fit C = A x B: A [4, 3], B [3, 5], C [4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PanelPlan.requireProduct("x", ContinuousTensor.of(0, DataType.FLOAT32, 12), b, a));
        assertTrue(e.getMessage().startsWith("x: A must be a 2-D FLOAT32 tensor"), e.getMessage());
    }
}
