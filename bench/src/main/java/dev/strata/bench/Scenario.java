package dev.strata.bench;

import static dev.strata.protocol.TensorArgType.INOUT;
import static dev.strata.protocol.TensorArgType.INPUT;
import static dev.strata.protocol.TensorArgType.OUTPUT;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.SubCallable;
import dev.strata.protocol.TaskArgs;
import dev.strata.scheduler.OrchFn;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import dev.strata.scheduler.WorkerMode;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * One DAG shape of the benchmark, run on its own {@link Worker} with no-op sub callables. A repetition
 * returns one value per {@link #metrics() metric}.
 */
abstract class Scenario {
    /** A callable that does nothing: the benchmark measures the engine, not the work. */
    static final SubCallable NOOP = ctx -> { };

    final String id;
    final String title;
    final int subWorkers;
    int noop;

    Scenario(String id, String title, int subWorkers) {
        this.id = id;
        this.title = title;
        this.subWorkers = subWorkers;
    }

    /** Nothing is allocated from the ring (every tensor has a fake address), so a small one is plenty. */
    static final long HEAP_RING_BYTES = 64L << 20;

    /** Every scenario, in report order. */
    static List<Scenario> all() {
        return List.of(new Independent(2), new Independent(8), new Chain(), new Fan(), new Groups(),
                new FanIn(), new Latency(), new ProcessIndependent(), new ProcessChain(), new Scale(),
                new TagCheckCost());
    }

    /** The engine this scenario runs on: {@code subWorkers} sub workers in this JVM. */
    Worker newWorker() {
        return Worker.builder().numSubWorkers(subWorkers).heapRingSize(HEAP_RING_BYTES).build();
    }

    abstract List<Metric> metrics();

    /** Starts the engine, after {@link #register}. */
    void init(Worker w) {
        w.init();
    }

    /** Registers the callables; called once, before {@code init()}. */
    void register(Worker w) {
        noop = w.register(NOOP);
    }

    /** One repetition: one value per metric, in {@link #metrics()} order. */
    abstract double[] repetition(Worker w);

    /** Wall time of one {@code w.run}, which returns only once the DAG has drained, in seconds. */
    static double timeRun(Worker w, OrchFn orch) {
        long t0 = System.nanoTime();
        w.run(Task.of(orch));
        return (System.nanoTime() - t0) / 1e9;
    }

    /** A tensor at a fake, distinct address: never allocated, never touched by a no-op callable. */
    static ContinuousTensor fakeTensor(int i) {
        return ContinuousTensor.of(0x1000 + i * 64L, DataType.FLOAT32, 16);
    }

    /** CPU time this JVM's threads have used so far, in nanoseconds: the engine's cost, whatever the load. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** (a) N independent tasks, each with one OUTPUT tensor of its own. */
    static final class Independent extends Scenario {
        static final int N = 100_000;

        Independent(int subWorkers) {
            super("a" + subWorkers, "100k independent, " + subWorkers + " subs", subWorkers);
        }

        @Override
        List<Metric> metrics() {
            // Issue 11: with 2 workers, StarPU's fast mode here (250k tasks/s); with 8, twice the seed.
            Metric rate = subWorkers == 2 ? new Metric(id, title, "tasks/s", true, 44_000, 250_000)
                    : Metric.higher(id, title, "tasks/s", 56_000);
            return List.of(rate, Metric.lower(id + "-cpu", "  process CPU per task", "µs/task", Double.NaN,
                    Double.NaN));
        }

        @Override
        double[] repetition(Worker w) {
            long cpu = processCpuNanos();
            double s = independent(w, noop, N);
            return new double[] {N / s, (processCpuNanos() - cpu) / 1e3 / N};
        }
    }

    /** Wall seconds of one run of {@code n} independent no-op tasks, each with one OUTPUT tensor of its own. */
    static double independent(Worker w, int callable, int n) {
        return timeRun(w, (orch, args, cfg) -> {
            for (int i = 0; i < n; i++) {
                orch.submitSub(callable, new TaskArgs().addTensor(fakeTensor(i), OUTPUT));
            }
        });
    }

    /**
     * (s) (a) from 10³ to 10⁶ tasks on one engine, submitted in scopes of 10⁴: process CPU per task at each size (flat when the engine's cost
     * per task does not grow with the run), and this JVM's resident memory after the 10⁴ and the 10⁶ run (bounded
     * when a run's bookkeeping does not grow with it).
     */
    static final class Scale extends Scenario {
        static final int[] SIZES = {1_000, 10_000, 100_000, 1_000_000};
        static final int SCOPE = 10_000;

        Scale() {
            super("s", "independent 10³ → 10⁶, 2 subs", 2);
        }

        @Override
        List<Metric> metrics() {
            List<Metric> metrics = new java.util.ArrayList<>();
            for (int n : SIZES) {
                metrics.add(Metric.lower("s-cpu-" + n, "  CPU per task, " + String.format("%,d", n) + " tasks",
                        "µs/task", Double.NaN, Double.NaN));
            }
            metrics.add(Metric.lower("s-rss-10k", "  resident memory after 10⁴", "MiB", Double.NaN, Double.NaN));
            metrics.add(Metric.lower("s-rss-1m", "  resident memory after 10⁶", "MiB", Double.NaN, Double.NaN));
            metrics.add(Metric.lower("s-rss-ratio", "  resident 10⁶ / 10⁴", "×", Double.NaN, 2));
            return metrics;
        }

        @Override
        double[] repetition(Worker w) {
            double[] values = new double[SIZES.length + 3];
            for (int i = 0; i < SIZES.length; i++) {
                long cpu = processCpuNanos();
                int n = SIZES[i];
                // Small runs are repeated up to 10⁵ tasks: the process CPU clock ticks too coarsely for one.
                int runs = Math.max(1, 100_000 / n);
                for (int r = 0; r < runs; r++) {
                    timeRun(w, (orch, args, cfg) -> scoped(orch, n));
                }
                values[i] = (processCpuNanos() - cpu) / 1e3 / ((double) n * runs);
                if (SIZES[i] == 10_000) {
                    values[SIZES.length] = residentMiB();
                }
            }
            values[SIZES.length + 1] = residentMiB();
            values[SIZES.length + 2] = values[SIZES.length + 1] / values[SIZES.length];
            return values;
        }

        /**
         * {@code n} independent tasks in scopes of 10⁴: a task is consumed when its scope ends, and the task window
         * (2¹⁸) bounds the live ones, as it bounds a user's long run.
         */
        private void scoped(dev.strata.scheduler.Orchestrator orch, int n) {
            for (int start = 0; start < n; start += SCOPE) {
                orch.scopeBegin();
                for (int t = start; t < Math.min(n, start + SCOPE); t++) {
                    orch.submitSub(noop, new TaskArgs().addTensor(fakeTensor(t % SCOPE), OUTPUT));
                }
                orch.scopeEnd();
            }
        }

        /** This JVM's resident set (Linux {@code /proc/self/status} VmRSS), MiB; NaN elsewhere. */
        static double residentMiB() {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                    }
                }
            } catch (java.io.IOException | NumberFormatException e) {
                // not Linux: no figure
            }
            return Double.NaN;
        }
    }

    /** (b) N tasks INOUT on one tensor: each waits for the one before. */
    static final class Chain extends Scenario {
        static final int N = 10_000;

        Chain() {
            super("b", "10k INOUT chain, 2 subs", 2);
        }

        @Override
        List<Metric> metrics() {
            return List.of(Metric.higher("b", title, "hops/s", 46_000),
                    Metric.lower("b-hop", "  time per hop", "µs/hop", 22, 11));
        }

        @Override
        double[] repetition(Worker w) {
            ContinuousTensor t = fakeTensor(0);
            double s = timeRun(w, (orch, args, cfg) -> {
                for (int i = 0; i < N; i++) {
                    orch.submitSub(noop, new TaskArgs().addTensor(t, INOUT));
                }
            });
            return new double[] {N / s, s * 1e6 / N};
        }
    }

    /** (c) 1 → N → 1: one producer, N readers each writing their own tensor, one task reading all N. */
    static final class Fan extends Scenario {
        static final int N = 1_000;
        static final int RUNS = 20;

        Fan() {
            super("c", "fan 1→1000→1, 2 subs (median of " + RUNS + ")", 2);
        }

        @Override
        List<Metric> metrics() {
            return List.of(Metric.lower("c", title, "ms/run", 41, 20.5));
        }

        @Override
        double[] repetition(Worker w) {
            double[] ms = new double[RUNS];
            for (int r = 0; r < RUNS; r++) {
                ms[r] = 1e3 * timeRun(w, (orch, args, cfg) -> {
                    ContinuousTensor source = fakeTensor(0);
                    orch.submitSub(noop, new TaskArgs().addTensor(source, OUTPUT));
                    TaskArgs sink = new TaskArgs();
                    for (int i = 1; i <= N; i++) {
                        orch.submitSub(noop, new TaskArgs().addTensor(source, INPUT).addTensor(fakeTensor(i), OUTPUT));
                        sink.addTensor(fakeTensor(i), INPUT);
                    }
                    orch.submitSub(noop, sink);
                });
            }
            return new double[] {Stats.of(ms).median()};
        }
    }

    /**
     * (f) N independent producers, then one task reading all N outputs: the submit of a wide join must cost O(1)
     * per tensor, so µs per task at 10^6 stays that at 10^5 (it was quadratic: 224 s for the 10^6 fan).
     * Every producer stays live until the join ends, so the task window is raised past N.
     */
    static final class FanIn extends Scenario {
        static final int N = 1_000_000;
        static final int SMALL = 100_000;

        FanIn() {
            super("f", "fan-in 10⁶ → 1, 2 subs", 2);
        }

        @Override
        Worker newWorker() {
            return Worker.builder().numSubWorkers(subWorkers).heapRingSize(HEAP_RING_BYTES).taskWindow(N + 2)
                    .build();
        }

        @Override
        List<Metric> metrics() {
            // Bar (issue 8): within 3x the per-task cost of the same tasks without the join, which (a, 2 subs)
            // measures at about 5 µs here (200k tasks/s).
            return List.of(new Metric("f", title, "µs/task", false, Double.NaN, 15),
                    new Metric("f-100k", "  the same at 10⁵ → 1", "µs/task", false, Double.NaN, 15));
        }

        @Override
        double[] repetition(Worker w) {
            return new double[] {microsPerTask(w, N), microsPerTask(w, SMALL)};
        }

        private double microsPerTask(Worker w, int n) {
            double s = timeRun(w, (orch, args, cfg) -> {
                TaskArgs join = new TaskArgs();
                for (int i = 0; i < n; i++) {
                    ContinuousTensor t = fakeTensor(i);
                    orch.submitSub(noop, new TaskArgs().addTensor(t, OUTPUT));
                    join.addTensor(t, INPUT);
                }
                orch.submitSub(noop, join);
            });
            return s * 1e6 / (n + 1);
        }
    }

    /** (d) N groups of 2 members, each member with an OUTPUT tensor of its own. */
    static final class Groups extends Scenario {
        static final int N = 10_000;

        Groups() {
            super("d", "10k groups of 2, 2 subs", 2);
        }

        @Override
        List<Metric> metrics() {
            return List.of(new Metric("d", title, "groups/s", true, 26_000, 130_000)); // issue 11's bar
        }

        @Override
        double[] repetition(Worker w) {
            double s = timeRun(w, (orch, args, cfg) -> {
                for (int i = 0; i < N; i++) {
                    orch.submitSubGroup(noop, List.of(new TaskArgs().addTensor(fakeTensor(2 * i), OUTPUT),
                            new TaskArgs().addTensor(fakeTensor(2 * i + 1), OUTPUT)));
                }
            });
            return new double[] {N / s};
        }
    }

    /**
     * (e) Submit-to-start latency into an idle engine: each sample is a run of one task whose callable
     * records {@code nanoTime} at start, against the {@code nanoTime} taken just before {@code submitSub}.
     * A run returns only after the drain, so every sample starts from an idle engine.
     */
    static final class Latency extends Scenario {
        static final int SAMPLES = 2_000;
        private volatile long submittedAt;
        private volatile long startedAt;
        private int probe;

        Latency() {
            super("e", "submit→start, idle engine, 2 subs", 2);
        }

        @Override
        List<Metric> metrics() {
            return List.of(Metric.lower("e-p50", title + " p50", "µs", 600, 20), // issue 11's bar
                    Metric.lower("e-p99", title + " p99", "µs", Double.NaN, Double.NaN));
        }

        @Override
        void register(Worker w) {
            super.register(w);
            probe = w.register(ctx -> startedAt = System.nanoTime());
        }

        @Override
        double[] repetition(Worker w) {
            double[] us = new double[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) {
                w.run(Task.of((orch, args, cfg) -> {
                    submittedAt = System.nanoTime();
                    orch.submitSub(probe);
                }));
                us[i] = (startedAt - submittedAt) / 1e3;
            }
            Stats stats = Stats.of(us);
            return new double[] {stats.percentile(50), stats.percentile(99)};
        }
    }

    /**
     * A PROCESS-mode scenario: 2 chip workers, each a child JVM reached through a shared-memory mailbox,
     * running {@link NoopKernel}. Besides its rate it reports the mailbox round trip of every dispatch
     * (parent posts, child runs, parent sees TASK_DONE), p50 and p99 over the repetition.
     */
    abstract static class ProcessScenario extends Scenario {
        long kernel;

        ProcessScenario(String id, String title) {
            super(id, title, 0);
        }

        @Override
        Worker newWorker() {
            return Worker.builder().mode(WorkerMode.PROCESS).numChipWorkers(2).heapRingSize(HEAP_RING_BYTES)
                    .build();
        }

        @Override
        void register(Worker w) {
            kernel = w.registerChipCallable("noop", new NoopKernel());
        }

        /** Runs {@code orch} and returns {rate for {@code tasks} tasks, round-trip p50 µs, p99 µs}. */
        double[] measureRun(Worker w, int tasks, OrchFn orch) {
            double s = timeRun(w, orch);
            return new double[] {tasks / s, w.metrics().getLastRunChipRoundTripP50Micros(),
                    w.metrics().getLastRunChipRoundTripP99Micros()};
        }

        List<Metric> metrics(String unit, double bar) {
            return List.of(Metric.atLeast(id, title, unit, bar),
                    Metric.lower(id + "-rt50", "  mailbox round trip p50", "µs", Double.NaN, 50),
                    Metric.lower(id + "-rt99", "  mailbox round trip p99", "µs", Double.NaN, Double.NaN));
        }
    }

    /** (p1) 10,000 independent no-op kernels on 2 PROCESS-mode chips. */
    static final class ProcessIndependent extends ProcessScenario {
        static final int N = 10_000;

        ProcessIndependent() {
            super("p1", "10k independent kernels, 2 PROCESS chips");
        }

        @Override
        List<Metric> metrics() {
            return metrics("tasks/s", 20_000);
        }

        @Override
        double[] repetition(Worker w) {
            return measureRun(w, N, (orch, args, cfg) -> {
                for (int i = 0; i < N; i++) {
                    orch.submitNextLevel(kernel, new TaskArgs().addTensor(fakeTensor(i), OUTPUT), CallConfig.DEFAULT);
                }
            });
        }
    }

    /** (p2) A 2,000-task INOUT chain on 2 PROCESS-mode chips. */
    static final class ProcessChain extends ProcessScenario {
        static final int N = 2_000;

        ProcessChain() {
            super("p2", "2k INOUT chain, 2 PROCESS chips");
        }

        @Override
        List<Metric> metrics() {
            return metrics("hops/s", Double.NaN);
        }

        @Override
        double[] repetition(Worker w) {
            ContinuousTensor t = fakeTensor(0);
            return measureRun(w, N, (orch, args, cfg) -> {
                for (int i = 0; i < N; i++) {
                    orch.submitNextLevel(kernel, new TaskArgs().addTensor(t, INOUT), CallConfig.DEFAULT);
                }
            });
        }
    }

    /**
     * (t) What the tag checker ({@code strata.check.tags = on}) costs: CRC32C throughput of {@code TagCheck} over a
     * 16 MiB INPUT tensor (before and after: two passes), and 1,000 THREAD-mode chip tasks of a no-op kernel, each
     * with a 1 MiB INPUT tensor, with the check on and off (per-task time, so the difference is the check's).
     */
    static final class TagCheckCost extends Scenario {
        static final int BIG = 16 << 20;
        static final int TENSOR = 1 << 20;
        static final int TASKS = 1_000;
        private long kernel;

        TagCheckCost() {
            super("t", "tag checker: CRC32C of INPUT tensors", 0);
        }

        @Override
        Worker newWorker() {
            return worker(true);
        }

        private static Worker worker(boolean checkTags) {
            return Worker.builder().numChipWorkers(1).heapRingSize(HEAP_RING_BYTES).checkTags(checkTags).build();
        }

        @Override
        void register(Worker w) {
            kernel = w.registerChipCallable("noop", new NoopKernel());
        }

        @Override
        List<Metric> metrics() {
            return List.of(Metric.atLeast(id, title, "GB/s", Double.NaN),
                    Metric.lower(id + "-on", "  task with a 1 MiB INPUT, check on", "µs/task", Double.NaN, Double.NaN),
                    Metric.lower(id + "-off", "  task with a 1 MiB INPUT, check off", "µs/task", Double.NaN,
                            Double.NaN));
        }

        @Override
        double[] repetition(Worker w) {
            double gbs = checksumRate(w.memory());
            double on = perTask(w, kernel);
            double off;
            try (Worker plain = worker(false)) {
                long k = plain.registerChipCallable("noop", new NoopKernel());
                plain.init();
                off = perTask(plain, k);
            }
            return new double[] {gbs, on, off};
        }

        /** GB/s that TagCheck checksums: a 16 MiB INPUT tensor checked before and after a call, 8 times. */
        static double checksumRate(dev.strata.protocol.TensorMemory memory) {
            ContinuousTensor big = filled(memory, BIG);
            try {
                dev.strata.protocol.TaskArgsView args = new TaskArgs().addTensor(big, INPUT).view();
                int calls = 8;
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    dev.strata.check.TagCheck.before(args, memory).after("bench");
                }
                return 2.0 * BIG * calls / (System.nanoTime() - t0);
            } finally {
                memory.free(big);
            }
        }

        /**
         * A tensor of {@code n} bytes, every page written: a page of shared memory never written may be the kernel's
         * one zero page, which would make the checksum read the same cached 4 KiB over and over.
         */
        static ContinuousTensor filled(dev.strata.protocol.TensorMemory memory, int n) {
            ContinuousTensor t = memory.allocate(DataType.UINT8, n);
            java.nio.ByteBuffer b = memory.bytes(t);
            java.util.Random random = new java.util.Random(n);
            byte[] chunk = new byte[4096];
            while (b.hasRemaining()) {
                random.nextBytes(chunk);
                b.put(chunk, 0, Math.min(chunk.length, b.remaining()));
            }
            return t;
        }

        /** µs per task of {@link #TASKS} independent no-op kernel tasks, each reading a 1 MiB tensor of its own. */
        static double perTask(Worker w, long kernel) {
            List<ContinuousTensor> ins = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ins.add(filled(w.memory(), TENSOR));
            }
            try {
                double s = timeRun(w, (orch, args, cfg) -> {
                    for (int i = 0; i < TASKS; i++) {
                        orch.submitNextLevel(kernel, new TaskArgs().addTensor(ins.get(i % ins.size()), INPUT)
                                .addTensor(fakeTensor(i), OUTPUT), CallConfig.DEFAULT);
                    }
                });
                return s * 1e6 / TASKS;
            } finally {
                ins.forEach(w.memory()::free);
            }
        }
    }
}
