package dev.strata.node;

import dev.strata.node.job.JobSection;
import dev.strata.node.job.Job;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.config.InvalidSettingException;
import dev.strata.node.cholesky.CholeskySettings;
import dev.strata.node.cholesky.TiledCholeskyJob;
import dev.strata.node.dag.DagShape;
import dev.strata.node.dag.NoopDagJob;
import dev.strata.node.dag.NoopDagSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reading a run file and its job section: every bad value fails before anything starts, naming its key. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunFileTest {
    private static final String CHOLESKY = "strata.worker.chip-workers = 2\nstrata.job.kind = tiled-cholesky\n";
    private static final String NOOP = "strata.worker.sub-workers = 2\nstrata.job.kind = noop-dag\n";

    @TempDir
    Path dir;

    @Test
    void choleskyDefaultsAreValid() {
        Job job = job(CHOLESKY);
        assertInstanceOf(TiledCholeskyJob.class, job);
        CholeskySettings s = CholeskySettings.read(new JobSection(RunFile.of(Paths.get("x"), ConfigFactory.parseString(CHOLESKY)).config()));
        assertEquals(1024, s.matrixSize());
        assertEquals(128, s.tileSize());
        assertEquals(8, s.tiles());
    }

    @Test
    void noopDagDefaultsAreValid() {
        assertInstanceOf(NoopDagJob.class, job(NOOP));
        NoopDagSettings s = NoopDagSettings.read(new JobSection(RunFile.of(Paths.get("x"), ConfigFactory.parseString(NOOP)).config()));
        assertEquals(List.of(DagShape.INDEPENDENT, DagShape.CHAIN, DagShape.FAN, DagShape.GROUP), s.shapes());
        assertEquals(1000, s.tasks());
    }

    @Test
    void missingKindNamesTheKey() {
        assertKey("strata.job.kind", "strata.worker.chip-workers = 2", "<missing>");
    }

    @Test
    void unknownKindNamesKeyAndChoices() {
        InvalidSettingException e = assertKey("strata.job.kind", "strata.job.kind = qr", "qr");
        assertTrue(e.getMessage().contains("tiled-cholesky, noop-dag"), e.getMessage());
    }

    @Test
    void jobSectionThatIsNotAnObjectNamesIt() {
        assertKey("strata.job", "strata.job = 5", "must be an object");
    }

    @Test
    void matrixSizeMustBeAMultipleOfTileSize() {
        InvalidSettingException e = assertKey("strata.job.matrix-size", CHOLESKY + "strata.job.matrix-size = 1000", "1000");
        assertTrue(e.getMessage().contains("must be a positive multiple of strata.job.tile-size (128)"), e.getMessage());
    }

    @Test
    void nonPositiveMatrixSizeNamesTheKey() {
        assertKey("strata.job.matrix-size", CHOLESKY + "strata.job.matrix-size = -128", "-128");
    }

    @Test
    void tileSizeOutOfRangeNamesTheKey() {
        assertKey("strata.job.tile-size", CHOLESKY + "strata.job.tile-size = 0", "between 1 and");
    }

    @Test
    void blockDimLargerThanTileNamesTheKey() {
        assertKey("strata.job.block-dim", CHOLESKY + "strata.job.tile-size = 64\nstrata.job.matrix-size = 256\nstrata.job.block-dim = 65", "65");
    }

    @Test
    void nonNumericResidualBoundNamesTheKey() {
        assertKey("strata.job.max-residual", CHOLESKY + "strata.job.max-residual = tiny", "must be a number");
    }

    @Test
    void zeroResidualBoundNamesTheKey() {
        assertKey("strata.job.max-residual", CHOLESKY + "strata.job.max-residual = 0", "> 0");
    }

    @Test
    void fractionalSeedNamesTheKey() {
        assertKey("strata.job.seed", CHOLESKY + "strata.job.seed = 1.5", "must be an integer");
    }

    @Test
    void nonBooleanBaselineNamesTheKey() {
        assertKey("strata.job.sequential-baseline", CHOLESKY + "strata.job.sequential-baseline = maybe", "true or false");
    }

    @Test
    void zeroRepetitionsNamesTheKey() {
        assertKey("strata.job.repetitions", CHOLESKY + "strata.job.repetitions = 0", "between 1 and");
    }

    @Test
    void integerBeyondIntRangeNamesTheKey() {
        assertKey("strata.job.tasks", NOOP + "strata.job.tasks = 99999999999", "99999999999");
    }

    @Test
    void choleskyWithoutChipWorkersNamesTheWorkerKey() {
        assertKey("strata.worker.chip-workers", "strata.job.kind = tiled-cholesky", "must be >= 1");
    }

    @Test
    void arenaTooSmallForTheMatrixNamesTheWorkerKey() {
        assertKey("strata.worker.arena-size", CHOLESKY + "strata.worker.arena-size = 1 MiB", "matrix-size = 1024");
    }

    @Test
    void unknownShapeNamesTheKey() {
        InvalidSettingException e = assertKey("strata.job.shapes", NOOP + "strata.job.shapes = [chain, star]", "star");
        assertTrue(e.getMessage().contains("independent, chain, fan, group"), e.getMessage());
    }

    @Test
    void emptyShapesNamesTheKey() {
        assertKey("strata.job.shapes", NOOP + "strata.job.shapes = []", "at least one");
    }

    @Test
    void shapesThatAreNotAListNamesTheKey() {
        assertKey("strata.job.shapes", NOOP + "strata.job.shapes { a = 1 }", "list of strings");
    }

    @Test
    void tooFewTasksNamesTheKey() {
        assertKey("strata.job.tasks", NOOP + "strata.job.tasks = 1", "between 2 and");
    }

    @Test
    void groupShapeNeedsTwoSubWorkers() {
        assertKey("strata.worker.sub-workers", NOOP + "strata.worker.sub-workers = 1", "group");
    }

    @Test
    void noopDagWithoutGroupRunsOnOneSubWorker() {
        assertInstanceOf(NoopDagJob.class, job(NOOP + "strata.worker.sub-workers = 1\nstrata.job.shapes = [chain]"));
    }

    @Test
    void misspeltJobKeyIsRejected() {
        InvalidSettingException e = assertKey("strata.job.matrix-sise", CHOLESKY + "strata.job.matrix-sise = 512", "512");
        assertTrue(e.getMessage().contains("not a setting of a tiled-cholesky job"), e.getMessage());
    }

    @Test
    void keyOfAnotherJobKindIsRejected() {
        assertKey("strata.job.tile-size", NOOP + "strata.job.tile-size = 64", "not a setting of a noop-dag job");
    }

    @Test
    void invalidWorkerSettingNamesTheKey() {
        assertKey("strata.worker.sub-workers", CHOLESKY + "strata.worker.sub-workers = -1", "-1");
    }

    @Test
    void referenceConfDocumentsExactlyTheSettingsTheJobsRead() {
        Set<String> declared = new HashSet<>(ConfigFactory.defaultReference().getObject("strata.job").keySet());
        Set<String> read = new HashSet<>(List.of("kind"));
        for (JobKind kind : JobKind.values()) {
            read.addAll(kind.keys());
        }
        assertEquals(read, declared);
    }

    @Test
    void missingFileIsReportedWithItsPath() {
        Path missing = dir.resolve("nope.conf");
        RunFileException e = assertThrows(RunFileException.class, () -> RunFile.load(missing));
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("nope.conf"), e.getMessage());
    }

    @Test
    void directoryIsNotARunFile() {
        RunFileException e = assertThrows(RunFileException.class, () -> RunFile.load(dir));
        assertTrue(e.getMessage().contains("not a readable file"), e.getMessage());
    }

    @Test
    void hoconSyntaxErrorIsReportedWithFileAndLine() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.conf"), "strata {\n  job {\n    kind = noop-dag\n");
        RunFileException e = assertThrows(RunFileException.class, () -> RunFile.load(bad));
        assertTrue(e.getMessage().contains("cannot parse run file") && e.getMessage().contains("bad.conf"), e.getMessage());
    }

    @Test
    void unresolvableSubstitutionIsReported() throws Exception {
        Path bad = Files.writeString(dir.resolve("subst.conf"), "strata.job.tasks = ${nowhere}\n");
        RunFileException e = assertThrows(RunFileException.class, () -> RunFile.load(bad));
        assertTrue(e.getMessage().contains("cannot resolve run file"), e.getMessage());
    }

    @Test
    void runFileOverridesDefaults() throws Exception {
        Path file = Files.writeString(dir.resolve("ok.conf"), NOOP + "strata.job.tasks = 42\n");
        RunFile runFile = RunFile.load(file);
        assertEquals(42, runFile.config().getInt("strata.job.tasks"));
        assertEquals(2, runFile.config().getInt("strata.worker.sub-workers"));
        assertEquals(128, runFile.config().getInt("strata.job.tile-size"), "defaults come from reference.conf");
        assertTrue(!runFile.file().hasPath("strata.job.tile-size"), "file() holds only what the file sets");
    }

    private static Job job(String hocon) {
        return JobKind.createJob(RunFile.of(Paths.get("test.conf"), ConfigFactory.parseString(hocon)));
    }

    private static InvalidSettingException assertKey(String key, String hocon, String fragment) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> job(hocon));
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' not in: " + e.getMessage());
        return e;
    }
}
