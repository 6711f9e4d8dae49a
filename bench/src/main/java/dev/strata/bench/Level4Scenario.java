package dev.strata.bench;

import static dev.strata.protocol.TensorArgType.INOUT;
import static dev.strata.protocol.TensorArgType.OUTPUT;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Worker;
import java.util.List;

/**
 * A level-4 scenario on the loopback cluster (issue 10, "Speed"): the head is a level-4 {@link Worker} whose next-level
 * workers are one level-3 engine per worker node (engine entities on the nodes of {@link LoopbackNodes}), and every
 * level-4 task runs {@link OneKernelOrchFn} there: a level-3 run of one {@link NoopKernel} chip task on the task's
 * tensor, which the engine gets shipped into its memory and sends back. Head set-up, joining and leaving are
 * {@link ClusterScenario}'s, with one chip worker per node: the head's next-level workers are the engines.
 */
abstract class Level4Scenario extends ClusterScenario {
    /**
     * The worker nodes' own settings for the level-3 engines they host (a node file's {@code strata.worker} section:
     * the node's chip entities do not read these): one THREAD chip each, the smallest engine that runs a chip kernel,
     * and a heap ring sized for the benchmark's small tensors.
     */
    static final String NODE_ENGINE_SETTINGS = "strata.worker { chip-workers = 1, heap-ring-size = 64 MiB }\n";

    /**
     * How big the level-4 scenarios are: independent tasks of (n), tasks of the chain of (o).
     */
    record Sizes(int independentTasks, int chainTasks) {
        static final Sizes DEFAULT = new Sizes(2_000, 500);

        Sizes {
            if (independentTasks < 1 || chainTasks < 1) {
                throw new IllegalArgumentException("level-4 sizes must be positive: " + independentTasks + ", "
                        + chainTasks);
            }
        }
    }

    /** The level-4 scenarios (n, o), in report order, on {@code nodes} (whose nodes' tensor arenas fit {@code cluster}). */
    static List<Scenario> all(LoopbackNodes nodes, ClusterScenario.Sizes cluster, Sizes sizes) {
        return List.of(new Independent(nodes, cluster, sizes), new Chain(nodes, cluster, sizes));
    }

    final Sizes level4;
    long orchFn;

    Level4Scenario(String id, String title, LoopbackNodes nodes, ClusterScenario.Sizes cluster, Sizes level4) {
        super(id, title, nodes, cluster.withChipsPerNode(1));
        this.level4 = level4;
    }

    /** Level 4 (engines as next-level workers); the chain also records the head's trace in memory. */
    @Override
    String headSettings() {
        return "strata.worker.level = 4\n";
    }

    @Override
    void register(Worker w) {
        super.register(w);
        orchFn = w.registerOrchFn("one-kernel", new OneKernelOrchFn());
    }

    /** A level-4 task on {@code t}: one no-op chip task on the engine that runs it. */
    TaskArgs oneKernel(ContinuousTensor t, TensorArgType tag) {
        return new TaskArgs().addTensor(t, tag).addScalar(kernel);
    }

    /**
     * (n) Independent level-4 tasks, each with a 64-byte OUTPUT tensor of its own, spread over the engines: level-4
     * tasks/s, and the head's task-duration p50, which for a level-4 task is its whole round trip (ship, level-3 run,
     * answer).
     */
    static final class Independent extends Level4Scenario {
        private ContinuousTensor[] outputs;

        Independent(LoopbackNodes nodes, ClusterScenario.Sizes cluster, Sizes sizes) {
            super("n", String.format("%,d independent level-4 tasks, %d engines", sizes.independentTasks(),
                    nodes.count()), nodes, cluster, sizes);
        }

        @Override
        List<Metric> metrics() {
            return List.of(Metric.atLeast(id, title, "tasks/s", Double.NaN),
                    Metric.lower(id + "-rt50", "  level-4 task round trip p50", "µs", Double.NaN, Double.NaN));
        }

        @Override
        double[] repetition(Worker w) {
            if (outputs == null) {
                outputs = new ContinuousTensor[level4.independentTasks()];
                for (int i = 0; i < outputs.length; i++) {
                    outputs[i] = w.memory().allocate(DataType.FLOAT32, SMALL_FLOATS);
                }
            }
            double s = timeRun(w, (orch, args, cfg) -> {
                for (ContinuousTensor t : outputs) {
                    orch.submitNextLevel(orchFn, oneKernel(t, OUTPUT), CallConfig.DEFAULT);
                }
            });
            return new double[] {outputs.length / s, w.metrics().getLastRunTaskDurationP50Micros()};
        }
    }

    /**
     * (o) An INOUT chain of level-4 tasks on one 64-byte tensor, so no two overlap: the overhead of each task over the
     * level-3 run it carried ({@link Level4Overhead}, from the head's in-memory trace), p50 and p99, the p50 of its two
     * parts (to the run's start, after the run's end), and the level-3 run's own wall time p50 for scale.
     */
    static final class Chain extends Level4Scenario {
        Chain(LoopbackNodes nodes, ClusterScenario.Sizes cluster, Sizes sizes) {
            super("o", String.format("%,d-task level-4 INOUT chain", sizes.chainTasks()),
                    nodes, cluster, sizes);
        }

        @Override
        String headSettings() {
            return super.headSettings() + "strata.trace { enabled = true, file = \"\" }\n";
        }

        @Override
        List<Metric> metrics() {
            return List.of(Metric.lower(id + "-p50", title + ", overhead p50", "µs", Double.NaN, 2_000),
                    Metric.lower(id + "-p99", "  overhead over the level-3 run p99", "µs", Double.NaN, Double.NaN),
                    Metric.lower(id + "-to50", "  task start → level-3 run start p50", "µs", Double.NaN, Double.NaN),
                    Metric.lower(id + "-back50", "  level-3 run end → task end p50", "µs", Double.NaN, Double.NaN),
                    Metric.lower(id + "-run50", "  level-3 run (one no-op chip task) p50", "µs", Double.NaN,
                            Double.NaN));
        }

        @Override
        double[] repetition(Worker w) {
            ContinuousTensor t = w.memory().allocate(DataType.FLOAT32, SMALL_FLOATS);
            int n = level4.chainTasks();
            timeRun(w, (orch, args, cfg) -> {
                for (int i = 0; i < n; i++) {
                    orch.submitNextLevel(orchFn, oneKernel(t, INOUT), CallConfig.DEFAULT);
                }
            });
            w.memory().free(t);
            Level4Overhead overhead = Level4Overhead.of(w.lastRunTrace());
            Stats total = Stats.of(overhead.total());
            Stats runs = Stats.of(w.lastRunTrace().below().stream().mapToDouble(r -> r.wallNanos() / 1e3).toArray());
            return new double[] {total.percentile(50), total.percentile(99), Stats.of(overhead.before()).percentile(50),
                    Stats.of(overhead.after()).percentile(50), runs.percentile(50)};
        }
    }
}
