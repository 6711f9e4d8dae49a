package dev.strata.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Worker-node JVMs on 127.0.0.1 for the cluster scenarios: {@code java -cp <classPath> dev.strata.node.Main node
 * <file>}, each on a port free when they start, started on first use. The nodes are each other's seed nodes, so
 * they form a cluster of their own and outlive the heads: every cluster scenario's head joins them as a non-seed
 * member and leaves when its {@code Worker} closes, and the chip entities stay where the first head placed them.
 *
 * <p>{@link #close()} asks every node to leave (SIGTERM, which the node command answers by leaving and exiting 0),
 * and kills any still running after {@link #LEAVE_WAIT_SECONDS}; a JVM shutdown hook does the same if the benchmark
 * ends any other way (an exception, Ctrl-C), so no node outlives the benchmark. Each node's output goes to
 * {@code <dir>/node-<i>.log}.
 */
final class LoopbackNodes implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    /** How long a node asked to leave may take before it is killed (the node command itself allows 15 s). */
    static final long LEAVE_WAIT_SECONDS = 20;

    private final int count;
    private final String classPath;
    private final Path dir;
    private final long arenaBytes;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private List<Integer> ports;
    private Thread reaper;

    /**
     * {@code count} nodes run from {@code classPath} (it must hold {@code dev.strata.node.Main} and the kernels the
     * heads register), each with a tensor arena of {@code arenaBytes}, writing their files under {@code dir}.
     */
    LoopbackNodes(int count, String classPath, Path dir, long arenaBytes) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one node, not " + count);
        }
        this.count = count;
        this.classPath = classPath;
        this.dir = dir;
        this.arenaBytes = arenaBytes;
    }

    int count() {
        return count;
    }

    /**
     * The HOCON a head needs to join these nodes (address on a free port, the nodes as seed nodes, joins retried
     * every second); starts the nodes on the first call.
     */
    synchronized String headConfig() {
        if (ports == null) {
            start();
        }
        return member(0);
    }

    /** The node processes started so far (for tests: each must be gone after {@link #close()}). */
    synchronized List<Process> processes() {
        return List.copyOf(processes);
    }

    /** Whether each node is still running, with its log file: for an error message when a head cannot join. */
    synchronized String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            sb.append(String.format("%n  node %d on port %d: %s, log %s", i + 1, ports.get(i),
                    p.isAlive() ? "running" : "exited with " + p.exitValue(), logs.get(i).toAbsolutePath()));
        }
        return sb.toString();
    }

    private String member(int port) {
        return "pekko.remote.artery.canonical.hostname = \"" + HOST + "\"\n"
                + "pekko.remote.artery.canonical.port = " + port + "\n"
                + "pekko.cluster.seed-nodes = [" + ports.stream().map(p -> "\"pekko://strata@" + HOST + ":" + p + "\"")
                .collect(Collectors.joining(", ")) + "]\n"
                // A member that starts before its seeds are up asks again after 1 s, not 5-10 s.
                + "pekko.cluster.seed-node-timeout = 1 s\n"
                + "pekko.cluster.retry-unsuccessful-join-after = 1 s\n"
                // Binding the port takes well under a second, but on a machine this loaded a JVM that is still
                // starting can miss Artery's 3 s and exit (seen at load average 30 on 2 cores).
                + "pekko.remote.artery.bind.bind-timeout = 30 s\n";
    }

    private void start() {
        List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chosen.add(freePort());
        }
        ports = List.copyOf(chosen);
        reaper = new Thread(this::reap, "strata-bench-node-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            Files.createDirectories(dir);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            for (int i = 0; i < count; i++) {
                Path file = dir.resolve("node-" + (i + 1) + ".conf");
                Files.writeString(file, member(ports.get(i)) + "strata.worker.arena-size = " + arenaBytes + "\n"
                        + Level4Scenario.NODE_ENGINE_SETTINGS,
                        StandardCharsets.UTF_8);
                Path log = dir.resolve("node-" + (i + 1) + ".log");
                logs.add(log);
                processes.add(new ProcessBuilder(java, "-Xmx512m", "-cp", classPath, "dev.strata.node.Main", "node",
                        file.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start());
            }
        } catch (IOException e) {
            reap();
            throw new UncheckedIOException("cannot start the worker-node JVMs", e);
        }
    }

    /** Asks every node to leave, waits for them, kills those that do not end; any thread, idempotent. */
    private synchronized void reap() {
        for (Process p : processes) {
            p.destroy(); // SIGTERM: the node leaves the cluster and exits 0
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(LEAVE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(LEAVE_WAIT_SECONDS, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public synchronized void close() {
        reap();
        if (reaper != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or will: it reaps what is left
            }
            reaper = null;
        }
    }

    /** A TCP port free on 127.0.0.1 right now (Artery binds TCP). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
