package dev.strata.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * StarPU, the peer benchmark (issue 11): its harness {@code starpu_bench.c} (shipped in this jar, from
 * {@code ../shared/anchors}) built against the installed library with {@code pkg-config starpu-1.3} and {@code gcc},
 * run with 2 CPU workers and the eager scheduler, its figures read from its output. Without the library (or a C
 * compiler) {@link #locate} says why and the benchmark runs Strata alone.
 */
final class StarPuPeer {
    /** Strata's metrics that StarPU's harness also measures: (a) with 2 workers, (b) per hop, (c). */
    static final List<String> METRICS = List.of("a2", "b-hop", "c");

    private static final Pattern LINE = Pattern.compile(
            "^(\\w+)\\s+n=(\\d+)\\s+wall_s med=([0-9.]+).*?tasks/s med=([0-9.]+).*$");
    private static final Pattern HOP = Pattern.compile("hop_us med=([0-9.]+)");
    private static final long BUILD_TIMEOUT_S = 120;
    private static final long RUN_TIMEOUT_S = 600;

    private final Path binary;

    private StarPuPeer(Path binary) {
        this.binary = binary;
    }

    /**
     * StarPU's figures of one run of its harness, in Strata's units: (a) tasks/s of {@code indep_W}, (b) µs per hop
     * of {@code chain_RW}, (c) ms per run of {@code fan}; NaN for a shape the output lacks.
     */
    record Figures(double independentTasksPerSecond, double chainMicrosPerHop, double fanMillisPerRun) {
        /** StarPU's figure for Strata metric {@code id} (a2, b-hop, c), NaN for another. */
        double forMetric(String id) {
            return switch (id) {
                case "a2" -> independentTasksPerSecond;
                case "b-hop" -> chainMicrosPerHop;
                case "c" -> fanMillisPerRun;
                default -> Double.NaN;
            };
        }
    }

    /** Builds the harness in {@code dir}, or says why it cannot (library not installed, no compiler). */
    static Optional<StarPuPeer> locate(Path dir, List<String> why) throws IOException {
        Optional<String> flags = run(List.of("pkg-config", "--cflags", "--libs", "starpu-1.3"), BUILD_TIMEOUT_S);
        if (flags.isEmpty()) {
            why.add("StarPU is not installed here (pkg-config knows no starpu-1.3; Debian: libstarpu-dev)");
            return Optional.empty();
        }
        Files.createDirectories(dir);
        Path source = dir.resolve("starpu_bench.c");
        try (InputStream in = StarPuPeer.class.getResourceAsStream("/starpu_bench.c")) {
            if (in == null) {
                throw new IllegalStateException("starpu_bench.c is missing from the bench jar");
            }
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
        }
        Path binary = dir.resolve("starpu_bench");
        List<String> gcc = new ArrayList<>(List.of("gcc", "-O2", "-o", binary.toString(), source.toString()));
        gcc.addAll(List.of(flags.get().trim().split("\\s+")));
        if (run(gcc, BUILD_TIMEOUT_S).isEmpty()) {
            why.add("StarPU's harness did not build (" + String.join(" ", gcc) + ")");
            return Optional.empty();
        }
        return Optional.of(new StarPuPeer(binary));
    }

    /** One run of the harness: {@code tasks} independent tasks, a chain of {@code hops}, {@code reps} repetitions. */
    Figures run(int tasks, int hops, int reps) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), String.valueOf(tasks), String.valueOf(hops),
                String.valueOf(reps)).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("STARPU_NCPU", "2");
        env.put("STARPU_NCUDA", "0");
        env.put("STARPU_NOPENCL", "0");
        env.put("STARPU_SCHED", "eager");
        env.put("STARPU_CALIBRATE", "0");
        env.put("STARPU_SILENT", "1");
        Process p = pb.start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(RUN_TIMEOUT_S, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("StarPU's harness failed: " + out);
            }
            return parse(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while StarPU's harness ran", e);
        } finally {
            p.destroyForcibly();
        }
    }

    /** The figures of the harness's report lines ({@code <name> n=<n> wall_s med=... | tasks/s med=...}). */
    static Figures parse(String output) {
        double indep = Double.NaN;
        double hop = Double.NaN;
        double fan = Double.NaN;
        for (String line : output.split("\n")) {
            Matcher m = LINE.matcher(line.trim());
            if (!m.matches()) {
                continue;
            }
            switch (m.group(1)) {
                case "indep_W" -> indep = Double.parseDouble(m.group(4));
                case "chain_RW" -> {
                    Matcher h = HOP.matcher(line);
                    hop = h.find() ? Double.parseDouble(h.group(1)) : Double.NaN;
                }
                case "fan_1_1000_1" -> fan = Double.parseDouble(m.group(3)) * 1e3;
                default -> { }
            }
        }
        return new Figures(indep, hop, fan);
    }

    /** Runs {@code command}, returning its output when it exits 0 within {@code timeoutSeconds}. */
    private static Optional<String> run(List<String> command, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return p.waitFor(timeoutSeconds, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(out)
                        : Optional.empty();
            } finally {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            return Optional.empty(); // the tool is not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
