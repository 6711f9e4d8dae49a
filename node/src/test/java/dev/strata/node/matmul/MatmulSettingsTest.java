package dev.strata.node.matmul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.config.InvalidSettingException;
import dev.strata.node.job.JobSection;
import org.junit.jupiter.api.Test;

class MatmulSettingsTest {

    private static MatmulSettings read(String job) {
        return MatmulSettings.read(new JobSection(ConfigFactory.parseString("strata.job { kind = level4-matmul, "
                + job + " }").withFallback(ConfigFactory.load()).resolve()));
    }

    private static void rejects(String job, String key, String rule) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> read(job));
        assertTrue(e.getMessage().contains("strata.job." + key) && e.getMessage().contains(rule), e.getMessage());
    }

    @Test
    void readsEveryKeyWithTheNodesDefaultsBeneath() {
        MatmulSettings s = read("matrix-size = 96, tile-size = 20, block-dim = 4, max-error = 1e-4, repetitions = 2");
        assertEquals(new MatmulSettings(96, 20, 42, 4, 1e-4, 2), s);
        assertEquals(2.0 * 96 * 96 * 96, s.flops());
        assertEquals(3L * 96 * 96 * 4, s.dataBytes());
        assertEquals(1e-3, read("matrix-size = 8, tile-size = 8").maxError(), "the default max-error");
    }

    @Test
    void aBadValueFailsNamingItsKeyAndTheRule() {
        rejects("matrix-size = 0", "matrix-size", "between 1 and 8192");
        rejects("matrix-size = 8193", "matrix-size", "between 1 and 8192");
        rejects("matrix-size = 64, tile-size = 65", "tile-size", "strata.job.matrix-size (64)");
        rejects("matrix-size = 64, tile-size = 0", "tile-size", "between 1");
        rejects("matrix-size = 64, tile-size = 8, block-dim = 9", "block-dim", "strata.job.tile-size (8)");
        rejects("matrix-size = 64, tile-size = 8, max-error = 0", "max-error", "> 0");
        rejects("matrix-size = 64, tile-size = 8, repetitions = 101", "repetitions", "between 1 and 100");
        rejects("matrix-size = 64.5", "matrix-size", "integer");
    }
}
