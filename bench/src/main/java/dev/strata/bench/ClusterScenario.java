package dev.strata.bench;

import static dev.strata.protocol.TensorArgType.INOUT;
import static dev.strata.protocol.TensorArgType.OUTPUT;

import com.typesafe.config.ConfigFactory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.scheduler.Worker;
import dev.strata.trace.RunTrace;
import dev.strata.trace.TaskTrace;
import java.util.List;

/**
 * A scenario on a loopback cluster: the head is this JVM's {@link Worker} with {@code strata.cluster.enabled = true}
 * and {@code nodes × chipsPerNode} chip workers, which are sharded chip entities on the worker-node JVMs of
 * {@link LoopbackNodes}; every task ships its tensors to a node and the changed bytes back. Each scenario has its own
 * head, which joins the nodes in {@link #newWorker()} and leaves them when it closes.
 */
abstract class ClusterScenario extends Scenario {
    /**
     * Dispatches the scheduler queues per worker ({@code strata.worker.queue-depth}, 8 by default): a remote chip
     * keeps that many tasks in flight and sends the ones started together in one message, so more in flight means
     * fewer, larger messages (docs/cluster.md, "Throughput"; docs/performance.md, "Cluster (loopback)").
     */
    static final int QUEUE_DEPTH = 32;

    /** Bytes of each small tensor (16 FLOAT32), as the engine-only scenarios' tensors. */
    static final int SMALL_FLOATS = 16;

    /**
     * How big the cluster scenarios are: chip workers per node, tasks of (k), hops of (l), bytes of the tensor of (m)
     * and its round trips per repetition.
     */
    record Sizes(int chipsPerNode, int independentTasks, int chainHops, long tensorBytes, int transfers) {
        static final long DEFAULT_TENSOR_BYTES = 16L << 20;
        static final Sizes DEFAULT = new Sizes(4, 20_000, 2_000, DEFAULT_TENSOR_BYTES, 8);

        Sizes {
            if (chipsPerNode < 1 || independentTasks < 1 || chainHops < 2 || tensorBytes < 1 || transfers < 1) {
                throw new IllegalArgumentException("cluster sizes must be positive (chain: at least 2 hops): "
                        + chipsPerNode + ", " + independentTasks + ", " + chainHops + ", " + tensorBytes + ", "
                        + transfers);
            }
        }

        Sizes withChipsPerNode(int n) {
            return new Sizes(n, independentTasks, chainHops, tensorBytes, transfers);
        }

        Sizes withTensorBytes(long bytes) {
            return new Sizes(chipsPerNode, independentTasks, chainHops, bytes, transfers);
        }

        /** A node's (and the head's) tensor arena: room for a few copies of the big tensor, 64 MiB at least. */
        long arenaBytes() {
            return Math.max(64L << 20, 4 * tensorBytes);
        }
    }

    /** The cluster scenarios (k, l, m), in report order, on {@code nodes}. */
    static List<Scenario> all(LoopbackNodes nodes, Sizes sizes) {
        return List.of(new Independent(nodes, sizes), new Chain(nodes, sizes), new Transfer(nodes, sizes));
    }

    final LoopbackNodes nodes;
    final Sizes sizes;
    long kernel;

    ClusterScenario(String id, String title, LoopbackNodes nodes, Sizes sizes) {
        super(id, title, 0);
        this.nodes = nodes;
        this.sizes = sizes;
    }

    int chips() {
        return nodes.count() * sizes.chipsPerNode();
    }

    /** Extra head settings of this scenario (HOCON), over the cluster ones. */
    String headSettings() {
        return "";
    }

    @Override
    Worker newWorker() {
        String config = nodes.headConfig()
                + "strata.cluster { enabled = true, min-worker-nodes = " + nodes.count() + ", join-timeout = 120 s }\n"
                + "strata.worker { chip-workers = " + chips() + ", sub-workers = 1, arena-size = "
                + sizes.arenaBytes() + ", heap-ring-size = " + HEAP_RING_BYTES + ", queue-depth = " + QUEUE_DEPTH
                + " }\n" + headSettings();
        return Worker.fromConfig(ConfigFactory.parseString(config));
    }

    @Override
    void register(Worker w) {
        kernel = w.registerChipCallable("noop", new NoopKernel());
    }

    /** Joins the nodes; a head that cannot join says how the nodes are doing and where their logs are. */
    @Override
    void init(Worker w) {
        try {
            w.init();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the head did not join the worker nodes: " + e.getMessage()
                    + nodes.describe(), e);
        }
    }

    /**
     * (k) Independent no-op kernels through the sharded chip workers, each task with a 64-byte OUTPUT tensor of its
     * own (shipped to the node; a no-op changes nothing, so nothing comes back). Also reports the head's task
     * duration p50 of the run, which for a remote chip is the round trip of one task through the cluster.
     */
    static final class Independent extends ClusterScenario {
        private ContinuousTensor[] outputs;

        Independent(LoopbackNodes nodes, Sizes sizes) {
            super("k", String.format("%,d independent, %d nodes × %d chips", sizes.independentTasks(), nodes.count(),
                    sizes.chipsPerNode()), nodes, sizes);
        }

        @Override
        List<Metric> metrics() {
            return List.of(Metric.atLeast(id, title, "tasks/s", 20_000),
                    Metric.lower(id + "-rt50", "  remote task round trip p50", "µs", Double.NaN, Double.NaN));
        }

        @Override
        double[] repetition(Worker w) {
            if (outputs == null) {
                outputs = new ContinuousTensor[sizes.independentTasks()];
                for (int i = 0; i < outputs.length; i++) {
                    outputs[i] = w.memory().allocate(DataType.FLOAT32, SMALL_FLOATS);
                }
            }
            double s = timeRun(w, (orch, args, cfg) -> {
                for (ContinuousTensor t : outputs) {
                    orch.submitNextLevel(kernel, new TaskArgs().addTensor(t, OUTPUT), CallConfig.DEFAULT);
                }
            });
            return new double[] {outputs.length / s, w.metrics().getLastRunTaskDurationP50Micros()};
        }
    }

    /**
     * (l) An INOUT chain of no-op kernels on one 64-byte tensor: hop latency, each hop the time from one task's end
     * to the next one's end on the head (the scheduler's trace, kept in memory), so it holds the release of the next
     * task, its dispatch, the trip to the node and back.
     */
    static final class Chain extends ClusterScenario {
        Chain(LoopbackNodes nodes, Sizes sizes) {
            super("l", String.format("%,d-hop INOUT chain, %d nodes × %d chips", sizes.chainHops(), nodes.count(),
                    sizes.chipsPerNode()), nodes, sizes);
        }

        @Override
        String headSettings() {
            return "strata.trace { enabled = true, file = \"\" }\n";
        }

        @Override
        List<Metric> metrics() {
            return List.of(Metric.lower(id + "-p50", title + ", hop p50", "µs", Double.NaN, 1_000),
                    Metric.lower(id + "-p99", "  hop p99", "µs", Double.NaN, Double.NaN),
                    Metric.atLeast(id, "  hops per second", "hops/s", Double.NaN));
        }

        @Override
        double[] repetition(Worker w) {
            ContinuousTensor t = w.memory().allocate(DataType.FLOAT32, SMALL_FLOATS);
            int n = sizes.chainHops();
            double s = timeRun(w, (orch, args, cfg) -> {
                for (int i = 0; i < n; i++) {
                    orch.submitNextLevel(kernel, new TaskArgs().addTensor(t, INOUT), CallConfig.DEFAULT);
                }
            });
            w.memory().free(t);
            Stats hops = Stats.of(hopMicros(w.lastRunTrace()));
            return new double[] {hops.percentile(50), hops.percentile(99), n / s};
        }

        /** End-to-end time of each hop but the first (which starts from the submit), µs, from a chain's trace. */
        static double[] hopMicros(RunTrace trace) {
            List<TaskTrace> tasks = trace.tasks();
            double[] us = new double[tasks.size() - 1];
            for (int i = 1; i < tasks.size(); i++) {
                us[i - 1] = (tasks.get(i).endNanos() - tasks.get(i - 1).endNanos()) / 1e3;
            }
            return us;
        }
    }

    /**
     * (m) A chain of tasks that each read and write one tensor of {@code tensorBytes} (INOUT, {@link TouchKernel}),
     * so the whole tensor travels to the node and back per task: MB/s counts both ways (2 × size per task, 1 MB =
     * 10⁶ bytes) over the run's wall time.
     */
    static final class Transfer extends ClusterScenario {
        private ContinuousTensor tensor;

        Transfer(LoopbackNodes nodes, Sizes sizes) {
            super("m", String.format("%s INOUT to a node and back (×%d)", bytes(sizes.tensorBytes()),
                    sizes.transfers()), nodes, sizes);
        }

        @Override
        void register(Worker w) {
            kernel = w.registerChipCallable("touch", new TouchKernel());
        }

        @Override
        List<Metric> metrics() {
            return List.of(Metric.atLeast(id, title, "MB/s", Double.NaN),
                    Metric.lower(id + "-task", "  time per task", "ms", Double.NaN, Double.NaN));
        }

        @Override
        double[] repetition(Worker w) {
            if (tensor == null) {
                tensor = w.memory().allocate(DataType.UINT8, Math.toIntExact(sizes.tensorBytes()));
            }
            int n = sizes.transfers();
            double s = timeRun(w, (orch, args, cfg) -> {
                for (int i = 0; i < n; i++) {
                    orch.submitNextLevel(kernel, new TaskArgs().addTensor(tensor, INOUT), CallConfig.DEFAULT);
                }
            });
            return new double[] {2.0 * n * sizes.tensorBytes() / s / 1e6, s * 1e3 / n};
        }

        /** 16777216 → "16 MiB", 131072 → "128 KiB", 1000 → "1000 B". */
        static String bytes(long n) {
            if (n % (1L << 20) == 0) {
                return (n >> 20) + " MiB";
            }
            if (n % 1024 == 0) {
                return (n >> 10) + " KiB";
            }
            return n + " B";
        }
    }
}
