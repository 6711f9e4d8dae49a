package dev.strata.node;

import dev.strata.node.job.JobSection;
import dev.strata.node.job.Job;
import dev.strata.config.ClusterSettings;
import dev.strata.config.InvalidSettingException;
import dev.strata.config.WorkerSettings;
import dev.strata.node.cholesky.CholeskySettings;
import dev.strata.node.cholesky.TiledCholeskyJob;
import dev.strata.node.dag.NoopDagJob;
import dev.strata.node.dag.NoopDagSettings;
import dev.strata.node.matmul.BlockedMatmulJob;
import dev.strata.node.matmul.MatmulSettings;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The jobs a run file can name in {@code strata.job.kind}, each with the settings it reads. */
public enum JobKind {
    TILED_CHOLESKY("tiled-cholesky", CholeskySettings.KEYS),
    NOOP_DAG("noop-dag", NoopDagSettings.KEYS),
    LEVEL4_MATMUL("level4-matmul", MatmulSettings.KEYS);

    private final String configName;
    private final List<String> keys;

    JobKind(String configName, List<String> keys) {
        this.configName = configName;
        this.keys = keys;
    }

    /** The value of {@code strata.job.kind} that selects this job. */
    public String configName() {
        return configName;
    }

    /** The job settings (below {@code strata.job}, besides {@code kind}) this job reads. */
    public List<String> keys() {
        return keys;
    }

    /** The kind {@code strata.job.kind} names; missing or unknown fails naming the key. */
    public static JobKind read(JobSection job) {
        String rule = "must be one of " + Arrays.stream(values()).map(JobKind::configName).collect(Collectors.joining(", "));
        if (!job.has("kind")) {
            throw new InvalidSettingException(JobSection.key("kind"), "<missing>", rule);
        }
        String name = job.string("kind").trim();
        for (JobKind k : values()) {
            if (k.configName.equals(name)) {
                return k;
            }
        }
        throw new InvalidSettingException(JobSection.key("kind"), name, rule);
    }

    /**
     * The validated job a run file describes: its kind, its settings and whether {@code strata.worker} gives
     * it the workers it needs. Nothing is started.
     */
    public static Job createJob(RunFile runFile) {
        JobSection section = new JobSection(runFile.config());
        JobKind kind = read(section);
        JobSection.checkOnlyKeys(runFile.file(), kind.configName, kind.keys);
        WorkerSettings worker = WorkerSettings.fromConfig(runFile.config());
        return switch (kind) {
            case TILED_CHOLESKY -> new TiledCholeskyJob(CholeskySettings.read(section), worker,
                    ClusterSettings.fromConfig(runFile.config()));
            case NOOP_DAG -> new NoopDagJob(NoopDagSettings.read(section), worker);
            case LEVEL4_MATMUL -> new BlockedMatmulJob(MatmulSettings.read(section), worker,
                    ClusterSettings.fromConfig(runFile.config()));
        };
    }
}
