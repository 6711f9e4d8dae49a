package dev.strata.bench;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.strata.scheduler.Worker;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.LoggerFactory;

/**
 * Runs the engine benchmark of issue 2 ("Speed"): each scenario on its own Worker, warm-up repetitions
 * then measured ones, a table of median [min–max] beside the seed's figures, and a JSON file of all samples.
 *
 * <pre>java -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -jar bench/target/strata-bench.jar
 *      [--reps 5] [--warmup 1] [--out bench-results/bench.json] [--only a,b,...]
 *      [--chips-per-node 4] [--cluster-tensor 16MiB] [--peer starpu]</pre>
 *
 * The cluster scenarios (k, l, m) start {@value #NODES} worker-node JVMs from this JVM's own class path (the bench
 * jar holds the node program and the bench's kernels) when the first of them runs, and always stop them at the end.
 * With {@code --peer starpu} StarPU's harness runs before the first and after each of the scenarios both measure
 * (a2, b, c), so the two alternate in one invocation, and a second table gives the ratio per shape
 * ({@link StarPuPeer}); without the library it says so and runs Strata alone.
 */
public final class BenchMain {
    /** Worker-node JVMs of the loopback cluster. */
    static final int NODES = 2;

    private BenchMain() {
    }

    /** Every scenario id, for --only. */
    static final String IDS = "a2 a8 b c d f e p1 p2 s t k l m n o";

    /** The measured samples of one metric. */
    record Result(Metric metric, double[] samples) {
        Stats stats() {
            return Stats.of(samples);
        }
    }

    public static void main(String[] argv) throws IOException {
        int reps = 5;
        int warmup = 1;
        Path out = Path.of("bench-results/bench.json");
        List<String> only = List.of();
        boolean peer = false;
        ClusterScenario.Sizes cluster = ClusterScenario.Sizes.DEFAULT;
        for (int i = 0; i < argv.length; i++) {
            String value = i + 1 < argv.length ? argv[i + 1] : null;
            switch (argv[i]) {
                case "--reps" -> reps = count(argv[i], value);
                case "--warmup" -> warmup = count(argv[i], value);
                case "--out" -> out = Path.of(require(argv[i], value));
                case "--only" -> only = Arrays.asList(require(argv[i], value).split(","));
                case "--chips-per-node" -> cluster = cluster.withChipsPerNode(positive(argv[i], value));
                case "--cluster-tensor" -> cluster = cluster.withTensorBytes(size(argv[i], value));
                case "--peer" -> {
                    if (!"starpu".equals(require(argv[i], value))) {
                        usage("--peer knows only starpu, not " + value);
                    }
                    peer = true;
                }
                default -> usage("unknown argument " + argv[i]);
            }
            i++;
        }
        if (reps < 1) {
            usage("--reps must be at least 1");
        }
        LoggerFactory.getILoggerFactory(); // before the actor systems start logging from several threads
        if (ConfigFactory.load().getBoolean("pekko.actor.serialize-messages")) {
            usage("pekko.actor.serialize-messages is on: the benchmark measures the production configuration");
        }
        Instant started = Instant.now();
        double loadAtStart = loadAverage();
        System.out.printf(Locale.ROOT, "%s; %d warm-up + %d measured repetitions%n", machine(loadAtStart, started),
                warmup, reps);
        if (ForkJoinPool.getCommonPoolParallelism() < 2) {
            System.out.println("WARNING: common-pool parallelism < 2 (TOOLCHAIN trap 1): run with "
                    + "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
        }

        Optional<StarPuPeer> starpu = Optional.empty();
        if (peer) {
            List<String> why = new ArrayList<>();
            starpu = StarPuPeer.locate(out.toAbsolutePath().getParent().resolve("starpu"), why);
            starpu.ifPresentOrElse(p -> System.out.println("peer: StarPU's harness built; it runs before the first and"
                    + " after each of " + StarPuPeer.METRICS), () -> System.out.println("peer: " + String.join("; ", why)
                    + ": running Strata alone"));
        }
        List<StarPuPeer.Figures> peerRuns = new ArrayList<>();

        long t0 = System.nanoTime();
        List<Result> results = new ArrayList<>();
        Path nodeFiles = out.toAbsolutePath().getParent().resolve("cluster-nodes");
        try (LoopbackNodes nodes = new LoopbackNodes(NODES, System.getProperty("java.class.path"), nodeFiles,
                cluster.arenaBytes())) {
            List<Scenario> scenarios = new ArrayList<>(Scenario.all());
            scenarios.addAll(ClusterScenario.all(nodes, cluster));
            scenarios.addAll(Level4Scenario.all(nodes, cluster, Level4Scenario.Sizes.DEFAULT));
            for (Scenario s : scenarios) {
                if (only.isEmpty() || only.stream().anyMatch(o -> s.id.startsWith(o.trim()))) {
                    boolean shared = starpu.isPresent() && s.metrics().stream()
                            .anyMatch(m -> StarPuPeer.METRICS.contains(m.id()));
                    if (shared && peerRuns.isEmpty()) {
                        peerRuns.add(runPeer(starpu.get(), reps));
                    }
                    results.addAll(measure(s, warmup, reps));
                    if (shared) {
                        peerRuns.add(runPeer(starpu.get(), reps));
                    }
                }
            }
        }
        if (results.isEmpty()) {
            usage("--only " + String.join(",", only) + " selects no scenario (ids: " + IDS + ")");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        System.out.println();
        System.out.print(Report.table(results));
        if (!peerRuns.isEmpty()) {
            System.out.printf(Locale.ROOT, "%nStrata beside StarPU (%d StarPU runs interleaved; ratio > 1: Strata is"
                    + " faster)%n", peerRuns.size());
            System.out.print(Report.peerTable(results, peerRuns));
        }
        System.out.printf(Locale.ROOT, "%nratio = speed-up over the seed (> 1 is faster); "
                + "bar: ≥ 2× the seed on a8, b, c; ≥ 250k tasks/s on a2, ≥ 130k groups/s on d, p50 ≤ 20 µs on e"
                + " (issue 11); PROCESS mode (p): ≥ 20k tasks/s, round trip p50 ≤ 50 µs; 10⁶ tasks (s): resident"
                + " memory ≤ 2× the 10⁴ run's;%n"
                + "loopback cluster (k, l, m): ≥ 20k tasks/s, hop p50 ≤ 1 ms%n"
                + "whole benchmark: %.1f s (load average now %.2f)%n", seconds, loadAverage());
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        String machine = machineJson(started, loadAtStart, reps, warmup, seconds);
        Files.writeString(out, Report.json(results, machine, peerRuns.isEmpty() ? null : Report.peerJson(peerRuns)),
                StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
    }

    /** One run of StarPU's harness at the sizes of Strata's scenarios, {@code reps} repetitions. */
    private static StarPuPeer.Figures runPeer(StarPuPeer starpu, int reps) throws IOException {
        System.out.printf(Locale.ROOT, "%-4s %-45s", "peer", "StarPU harness (a, b, c)");
        StarPuPeer.Figures f = starpu.run(Scenario.Independent.N, Scenario.Chain.N, Math.max(reps, 3));
        System.out.printf(Locale.ROOT, " %s tasks/s, %s µs/hop, %s ms/run%n",
                Report.format(f.independentTasksPerSecond()), Report.format(f.chainMicrosPerHop()),
                Report.format(f.fanMillisPerRun()));
        return f;
    }

    /** Builds the scenario's Worker once, runs the warm-up and measured repetitions, closes it. */
    static List<Result> measure(Scenario s, int warmup, int reps) {
        List<Metric> metrics = s.metrics();
        double[][] samples = new double[metrics.size()][reps];
        System.out.printf(Locale.ROOT, "%-4s %-45s", s.id, s.title);
        try (Worker w = s.newWorker()) {
            s.register(w);
            s.init(w);
            for (int r = 0; r < warmup; r++) {
                s.repetition(w);
                System.out.print(" w");
            }
            for (int r = 0; r < reps; r++) {
                double[] values = s.repetition(w);
                for (int m = 0; m < metrics.size(); m++) {
                    samples[m][r] = values[m];
                }
                System.out.print(" " + Report.format(values[0]));
            }
        }
        System.out.println();
        List<Result> results = new ArrayList<>();
        for (int m = 0; m < metrics.size(); m++) {
            results.add(new Result(metrics.get(m), samples[m]));
        }
        return results;
    }

    private static String machine(double load, Instant started) {
        return String.format(Locale.ROOT, "%d cores, Java %s (%s), common-pool parallelism %d, load average %.2f, %s",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), ForkJoinPool.getCommonPoolParallelism(), load,
                started);
    }

    /** The system load average over the last minute: other processes on the machine skew every figure. */
    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String machineJson(Instant started, double loadAtStart, int reps, int warmup, double seconds) {
        return String.format(Locale.ROOT, "{\"cores\": %d, \"java\": %s, \"vm\": %s, \"os\": %s, "
                        + "\"commonPoolParallelism\": %d, \"loadAverageAtStart\": %.2f, "
                        + "\"loadAverageAtEnd\": %.2f, \"date\": %s, \"reps\": %d, "
                        + "\"warmup\": %d, \"totalSeconds\": %.1f}",
                Runtime.getRuntime().availableProcessors(), Report.quote(System.getProperty("java.version")),
                Report.quote(System.getProperty("java.vm.name")),
                Report.quote(System.getProperty("os.name") + " " + System.getProperty("os.arch")),
                ForkJoinPool.getCommonPoolParallelism(), loadAtStart, loadAverage(), Report.quote(started.toString()),
                reps, warmup, seconds);
    }

    private static int count(String flag, String value) {
        try {
            int n = Integer.parseInt(require(flag, value));
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        usage(flag + " needs a count ≥ 0, not " + value);
        return 0;
    }

    private static int positive(String flag, String value) {
        int n = count(flag, value);
        if (n < 1) {
            usage(flag + " needs a count ≥ 1, not " + value);
        }
        return n;
    }

    /** A size in bytes as Typesafe Config reads one: 131072, 128k, 128KiB, 16 MiB. */
    private static long size(String flag, String value) {
        try {
            long n = ConfigFactory.parseString("size = \"" + require(flag, value) + "\"").getBytes("size");
            if (n > 0 && n <= Integer.MAX_VALUE) {
                return n;
            }
        } catch (ConfigException e) {
            // reported below
        }
        usage(flag + " needs a size in bytes such as 16MiB or 128KiB (at most 2 GiB), not " + value);
        return 0;
    }

    private static String require(String flag, String value) {
        if (value == null) {
            usage(flag + " needs a value");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: java -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -jar strata-bench.jar"
                + " [--reps 5] [--warmup 1] [--out bench-results/bench.json] [--only a,b,c,d,e,p,s,t,k,l,m]"
                + " [--chips-per-node 4] [--cluster-tensor 16MiB] [--peer starpu]");
        System.exit(2);
    }
}
