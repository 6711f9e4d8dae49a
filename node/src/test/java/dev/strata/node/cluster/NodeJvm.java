package dev.strata.node.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A worker node as a real JVM running the {@code node} command, for tests: started from the packaged jar
 * ({@code java -jar target/strata-node.jar node <file>}, what users run) or from the test class path. Its output
 * (stdout and stderr) is copied line by line to a log file, whose tail goes into every failure message; its up line
 * completes {@link #upLine()}. {@link #close()} reaps it: a test that starts one closes it in {@code finally} or
 * {@code @AfterEach}, so no JVM outlives its test.
 */
final class NodeJvm implements AutoCloseable {
    /** The shaded jar the package phase builds (tests run in the node module's directory). */
    static final Path JAR = Path.of("target", "strata-node.jar");
    /** What the node logs once it has joined (WorkerNode's up line). */
    static final String UP = "is up (role worker)";
    /**
     * Bound on a node JVM's start and join: wide, because a JVM start alone took 40 s here with the 2 cores at a load
     * of 28 (several builds at once).
     */
    static final Duration START_BOUND = Duration.ofSeconds(180);
    private static final int TAIL_LINES = 40;
    private static final Duration REAP_BOUND = Duration.ofSeconds(30);

    private final Process process;
    private final Path log;
    private final CompletableFuture<String> upLine;
    private final CompletableFuture<Void> copied;

    private NodeJvm(Process process, Path log, CompletableFuture<String> upLine, CompletableFuture<Void> copied) {
        this.process = process;
        this.log = log;
        this.upLine = upLine;
        this.copied = copied;
    }

    /**
     * {@code java <jvmOptions> -jar target/strata-node.jar node <nodeFile>}: only the jar's classes, as a user
     * starts a node; output to {@code logDir/<name>.log}.
     */
    static NodeJvm fromJar(String name, Path logDir, Path nodeFile, List<String> jvmOptions) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: integration tests run after the"
                    + " package phase (mvn verify)");
        }
        List<String> command = new ArrayList<>(jvmOptions);
        command.addAll(List.of("-jar", JAR.toString(), "node", nodeFile.toString()));
        return start(name, logDir, command);
    }

    /** {@code java <jvmOptions> -cp <this JVM's class path> dev.strata.node.Main node <nodeFile>}. */
    static NodeJvm fromClassPath(String name, Path logDir, Path nodeFile, List<String> jvmOptions) throws IOException {
        List<String> command = new ArrayList<>(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.strata.node.Main", "node",
                nodeFile.toString()));
        return start(name, logDir, command);
    }

    private static NodeJvm start(String name, Path logDir, List<String> arguments) throws IOException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(arguments);
        Files.writeString(log, String.join(" ", command) + "\n");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> up = new CompletableFuture<>();
        CompletableFuture<Void> copied = new CompletableFuture<>();
        Thread copier = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8)); Writer w = Files.newBufferedWriter(log,
                    StandardOpenOption.APPEND)) {
                for (String line; (line = r.readLine()) != null; ) {
                    w.write(line);
                    w.write('\n');
                    w.flush();
                    if (line.contains(UP)) {
                        up.complete(line);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                up.completeExceptionally(new IllegalStateException("the node's output ended without an up line"));
                copied.complete(null);
            }
        }, "node-output-" + name);
        copier.setDaemon(true);
        copier.start();
        return new NodeJvm(p, log, up, copied);
    }

    Process process() {
        return process;
    }

    Path log() {
        return log;
    }

    /** Completes with the node's up line; fails if its output ends first. */
    CompletableFuture<String> upLine() {
        return upLine;
    }

    /** The up line, waited for at most {@code bound}; else an AssertionError with the log's tail. */
    String awaitUp(Duration bound) {
        try {
            return upLine.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for the node's up line" + tail(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("node not up within " + bound + ": " + e + tail(), e);
        }
    }

    /** Sends SIGTERM (through the handle: Process.destroy() would also close our end of the child's output). */
    boolean sigterm() {
        return process.toHandle().destroy();
    }

    /** Waits at most {@code bound} for the process to end and returns its exit code; else an AssertionError. */
    int awaitExit(Duration bound) throws InterruptedException {
        if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("node still running after " + bound + tail());
        }
        return process.exitValue();
    }

    /** The whole output, once the process has ended and its last line is in the log. */
    String output() throws Exception {
        copied.get(REAP_BOUND.toSeconds(), TimeUnit.SECONDS);
        return Files.readString(log);
    }

    /** The last lines of the log, for failure messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return "\n--- tail of " + log.toAbsolutePath() + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return " (no log: " + e + ")";
        }
    }

    /** SIGKILLs the process if it still runs and waits for it to end. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        process.waitFor(REAP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }
}
