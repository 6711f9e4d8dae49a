package dev.strata.node.matmul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.config.InvalidSettingException;
import dev.strata.node.JobKind;
import dev.strata.node.RunFile;
import dev.strata.node.job.Job;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The job's checks of the head's settings, made when the run file is read (before anything starts). Its run is
 * tested on a loopback cluster (Level4MatmulClusterTest) and across node JVMs (Level4MatmulIT).
 */
class BlockedMatmulJobTest {
    private static final String HEAD = "strata.worker { level = 4, chip-workers = 2, arena-size = 16 MiB }\n"
            + "strata.cluster.enabled = true\n"
            + "strata.job { kind = level4-matmul, matrix-size = 512, tile-size = 64 }\n";

    private static Job job(String overrides) {
        return JobKind.createJob(RunFile.of(Path.of("test.conf"),
                ConfigFactory.parseString(overrides).withFallback(ConfigFactory.parseString(HEAD))));
    }

    private static void rejects(String overrides, String key, String rule) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> job(overrides));
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains(rule), "'" + rule + "' not in: " + e.getMessage());
    }

    @Test
    void aLevel4HeadInClusterModeRunsIt() {
        Job job = assertInstanceOf(BlockedMatmulJob.class, job(""));
        assertEquals("strata.job.matrix-size", job.sizeKey());
    }

    @Test
    void aLevel3HeadIsRefusedNamingTheLevel() {
        rejects("strata.worker.level = 3", "strata.worker.level", "must be 4 for a level4-matmul job");
    }

    @Test
    void aHeadWithoutClusterModeIsRefusedNamingIt() {
        rejects("strata.cluster.enabled = false", "strata.cluster.enabled", "must be true for a level4-matmul job");
    }

    @Test
    void theEngineCountMustGiveEachEngineAPanel() {
        rejects("strata.worker.chip-workers = 0", "strata.worker.chip-workers", "counts the engines");
        rejects("strata.worker.chip-workers = 9, strata.job { matrix-size = 8, tile-size = 8 }",
                "strata.worker.chip-workers", "between 1 and strata.job.matrix-size (8)");
    }

    @Test
    void theHeadsArenaMustHoldABAndC() {
        rejects("strata.worker.arena-size = 2 MiB", "strata.worker.arena-size", "at least 3145728 bytes");
    }

    @Test
    void aSettingOfAnotherJobIsRejectedByName() {
        rejects("strata.job.max-residual = 1e-3", "strata.job.max-residual", "is not a setting of a level4-matmul job");
    }
}
