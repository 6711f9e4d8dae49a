package dev.strata.process;

import dev.strata.config.ProcessSettings;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.process.ChipProcessException.Reason;
import dev.strata.process.Doorbell.Wake;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskArgsView;
import dev.strata.worker.GroupTaskWorker;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chip-process proxy: the {@link GroupTaskWorker} of one PROCESS-mode chip. It owns one child JVM
 * ({@link ChipProcessMain}), the mailbox file through which it reaches it and a {@link Doorbell} to wake
 * it; {@link #run} writes the dispatch into the mailbox, publishes TASK_READY and waits for TASK_DONE —
 * spinning, then yielding, then blocked on the doorbell (never a fixed sleep) — watching the child's exit,
 * its heartbeat and the task timeout while it waits.
 *
 * <p>A child that dies or hangs fails the task in flight with a {@link ChipProcessException} naming the
 * chip, the kernel and the exit code; the next task starts a fresh child. The kernel's own exceptions come
 * back through the mailbox as text (at most 4 KiB) and fail the task the same way.
 *
 * <p>Driven by its worker actor's single thread; {@link #close()} may also be called from another thread
 * (the engine's last-resort cleanup) and then kills the child to unblock a running task.
 */
public final class ChipProcess implements GroupTaskWorker {
    private static final Logger LOG = LoggerFactory.getLogger(ChipProcess.class);
    private final java.util.concurrent.atomic.AtomicLong launches = new java.util.concurrent.atomic.AtomicLong();
    private static final RoundTripStats ROUND_TRIPS = new RoundTripStats();

    // The answer to a short kernel lands within microseconds: spin first; then leave the core to the child
    // (2 cores here); then block on the doorbell, so a long kernel costs its proxy nothing. The phases are
    // measured (docs/process-mode.md): a timed park costs ~100 us here, a doorbell wake ~15 us.
    private static final long SPIN_NANOS = 1_000;
    private static final long YIELD_NANOS = 50_000;
    private static final long START_POLL_NANOS = 50_000_000;
    private static final int MAX_SOCKET_PATH = 100;
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final int OUTPUT_TAIL_BYTES = 2048;

    private final int chipIndex;
    private final List<String> kernelNames;
    private final List<String> kernelClasses;
    private final SharedTensorMemory memory;
    private final int chipThreads;
    private final ProcessSettings settings;
    private final Path dir;
    private final ReentrantLock lock = new ReentrantLock();
    private final Backoff backoff = new Backoff(SPIN_NANOS, YIELD_NANOS);
    private final Thread exitHook = new Thread(this::killAtExit, "strata-chip-process-cleanup");
    private volatile Child child;
    private volatile boolean closed;

    /** One incarnation of the child: its process, mailbox, doorbell and output file. */
    private static final class Child {
        final Process process;
        final Mailbox mailbox;
        final Path output;
        Doorbell.Listener listener; // until the child connects
        Doorbell doorbell;          // after
        volatile boolean stopping; // set when this side ends the child, so its exit is not reported as a crash
        final long launchedNanos = System.nanoTime(); // start-timeout counts from here, for all children at once

        Child(Process process, Mailbox mailbox, Path output, Doorbell.Listener listener) {
            this.process = process;
            this.mailbox = mailbox;
            this.output = output;
            this.listener = listener;
        }

        void closeChannels() {
            if (listener != null) {
                listener.close();
            }
            if (doorbell != null) {
                doorbell.close();
            }
        }

        long pid() {
            return process.pid();
        }
    }

    /**
     * A proxy for chip {@code chipIndex}; no child runs until {@link #start()} (or the first task).
     *
     * @param kernelNames registered kernel names, index = callable id
     * @param kernels     the registered kernels; the child makes its own instance of each one's class
     * @throws IllegalArgumentException if a kernel's class cannot be instantiated by name in a child
     */
    public ChipProcess(int chipIndex, List<String> kernelNames, List<? extends ChipKernel> kernels,
                       SharedTensorMemory memory, int chipThreads, ProcessSettings settings) {
        if (kernelNames.size() != kernels.size()) {
            throw new IllegalArgumentException(kernels.size() + " kernels but " + kernelNames.size() + " names");
        }
        List<String> classes = new ArrayList<>();
        for (int i = 0; i < kernels.size(); i++) {
            KernelClasses.requireLoadable(kernelNames.get(i), kernels.get(i));
            classes.add(kernels.get(i).getClass().getName());
        }
        this.chipIndex = chipIndex;
        this.kernelNames = List.copyOf(kernelNames);
        this.kernelClasses = List.copyOf(classes);
        this.memory = memory;
        this.chipThreads = chipThreads;
        this.settings = settings;
        this.dir = memory.file().toAbsolutePath().getParent();
    }

    /**
     * Starts every proxy's child at once, then waits for each ready handshake; on any failure closes them
     * all and rethrows, so either all children run or none does.
     */
    public static void startAll(List<ChipProcess> proxies) {
        try {
            for (ChipProcess p : proxies) {
                p.launchLocked();
            }
            for (ChipProcess p : proxies) {
                p.awaitReadyLocked();
            }
        } catch (RuntimeException | Error e) {
            for (ChipProcess p : proxies) {
                p.close();
            }
            throw e;
        }
    }

    /** Starts the child and waits for its ready handshake (at most {@code start-timeout}). */
    public void start() {
        startAll(List.of(this));
    }

    /** Round trips of every proxy in this JVM since start (or the last reset), for benchmarks. */
    public static RoundTripStats roundTrips() {
        return ROUND_TRIPS;
    }

    /** The running child's pid, or -1 when none runs. */
    public long pid() {
        Child c = child;
        return c != null && c.process.isAlive() ? c.pid() : -1;
    }

    /** The running child's mailbox file, or null when none runs. */
    public Path mailboxFile() {
        Child c = child;
        return c == null ? null : c.mailbox.file();
    }

    /**
     * Runs one task in the child: posts it, waits for TASK_DONE, and turns a kernel failure, a dead or hung
     * child, or a timeout into a {@link ChipProcessException}. Starts a fresh child first when the last one
     * ended.
     *
     * @throws IllegalArgumentException if the args do not fit the mailbox (the orchestrator checks this at
     *                                  submit, so it does not happen through the engine)
     */
    @Override
    public void run(long callable, TaskArgsView args, CallConfig config, int groupIndex) {
        lock.lock();
        try {
            if (closed) {
                throw new ChipProcessException(Reason.CLOSED, chipIndex, -1, "chip " + chipIndex
                        + "'s process proxy is closed");
            }
            Child c = ensureChild();
            long start = System.nanoTime();
            if (c.mailbox.post(callable, config, groupIndex, args)) {
                c.doorbell.ring();
            }
            awaitDone(c, callable, start);
            ROUND_TRIPS.record(System.nanoTime() - start);
            int error = c.mailbox.error();
            if (error != Mailbox.OK) {
                String text = c.mailbox.errorText();
                c.mailbox.reset();
                throw childError(c, callable, error, text);
            }
            c.mailbox.reset();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks the child to shut down, waits a few seconds, then kills it; unmaps and deletes the mailbox and
     * the output file. Idempotent; safe from any thread.
     */
    @Override
    public void close() {
        closed = true;
        boolean locked = lock.tryLock();
        if (!locked) {
            // A task is running on the worker thread: killing the child makes it fail within a park.
            Child c = child;
            if (c != null) {
                c.stopping = true;
                c.process.destroyForcibly();
            }
            try {
                locked = lock.tryLock(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Child c = child;
            child = null;
            if (c != null) {
                stop(c, locked);
            }
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // Shutting down already, or never registered: nothing to remove.
        }
    }

    @Override
    public String toString() {
        Child c = child;
        return "ChipProcess[chip " + chipIndex + (c == null ? ", no child" : ", pid " + c.pid()) + (closed
                ? ", closed" : "") + "]";
    }

    // ---- waiting for a task --------------------------------------------------------------------------------

    private void awaitDone(Child c, long callable, long start) {
        Mailbox m = c.mailbox;
        backoff.start(start);
        while (m.state() != Mailbox.TASK_DONE) {
            if (!backoff.idle()) {
                awaitDoneBlocking(c, callable, start);
                return;
            }
        }
    }

    /** The slow path: blocked on the doorbell, waking every heartbeat interval to check on the child. */
    private void awaitDoneBlocking(Child c, long callable, long start) {
        Mailbox m = c.mailbox;
        long taskTimeout = settings.taskTimeout().toNanos();
        long heartbeatTimeout = settings.heartbeatTimeout().toNanos();
        long check = settings.heartbeatInterval().toNanos();
        long lastBeat = m.heartbeat();
        long lastBeatAt = System.nanoTime();
        while (true) {
            if (m.parentSleeps() == Mailbox.TASK_DONE) {
                m.parentAwake();
                return;
            }
            long now = System.nanoTime();
            long beat = m.heartbeat();
            if (beat != lastBeat) {
                lastBeat = beat;
                lastBeatAt = now;
            } else if (now - lastBeatAt > heartbeatTimeout) {
                m.parentAwake();
                throw kill(c, callable, Reason.HEARTBEAT_LOST, "stopped its heartbeat for more than "
                        + settings.heartbeatTimeout() + " (strata.worker.process.heartbeat-timeout)");
            }
            if (now - start > taskTimeout) {
                m.parentAwake();
                throw kill(c, callable, Reason.TASK_TIMEOUT, "did not finish within "
                        + settings.taskTimeout() + " (strata.worker.process.task-timeout)");
            }
            if (closed || Thread.currentThread().isInterrupted()) {
                m.parentAwake();
                throw kill(c, callable, Reason.CLOSED, closed ? "was stopped because the proxy closed"
                        : "was stopped because the worker thread was interrupted");
            }
            Wake wake;
            try {
                wake = c.doorbell.await(Math.max(1, Math.min(check, start + taskTimeout - now)));
            } catch (IOException e) {
                wake = Wake.CLOSED;
            }
            m.parentAwake();
            if (m.state() == Mailbox.TASK_DONE) {
                return;
            }
            if (wake == Wake.CLOSED || !c.process.isAlive()) {
                throw died(c, callable);
            }
        }
    }

    private ChipProcessException died(Child c, long callable) {
        int code = exitCode(c.process); // its doorbell closes with it; the exit code follows within moments
        String tail = outputTail(c);
        discard(c);
        return new ChipProcessException(Reason.CHILD_DIED, chipIndex, code, "chip " + chipIndex + "'s process (pid "
                + c.pid() + ") died while running kernel " + kernel(callable) + ": " + describeExit(code) + tail);
    }

    private ChipProcessException kill(Child c, long callable, Reason reason, String what) {
        c.stopping = true;
        c.process.destroyForcibly();
        int code = exitCode(c.process);
        String tail = outputTail(c);
        discard(c);
        return new ChipProcessException(reason, chipIndex, code, "kernel " + kernel(callable) + " on chip "
                + chipIndex + " " + what + "; killed its process (pid " + c.pid() + ", " + describeExit(code)
                + "), the next task starts a fresh one" + tail);
    }

    private ChipProcessException childError(Child c, long callable, int error, String text) {
        String[] parts = text.split("\0", 3);
        String exceptionClass = parts[0].isEmpty() ? "unknown exception" : parts[0];
        String message = parts.length > 1 && !parts[1].isEmpty() ? ": " + parts[1] : "";
        ChipProcessException e;
        if (error == Mailbox.KERNEL_FAILED) {
            e = new ChipProcessException(Reason.KERNEL_FAILED, chipIndex, -1, "kernel " + kernel(callable)
                    + " failed in chip " + chipIndex + "'s process (pid " + c.pid() + "): " + exceptionClass
                    + message);
        } else {
            e = new ChipProcessException(Reason.BAD_DISPATCH, chipIndex, -1, "chip " + chipIndex + "'s process (pid "
                    + c.pid() + ") rejected the dispatch of kernel " + kernel(callable) + ": " + exceptionClass
                    + message);
        }
        if (parts.length > 2 && !parts[2].isEmpty()) {
            // The child's stack is what explains a kernel failure; the proxy's own frames say nothing.
            e.setStackTrace(frames(parts[2]));
        }
        return e;
    }

    private static StackTraceElement[] frames(String text) {
        String[] lines = text.split("\n");
        List<StackTraceElement> frames = new ArrayList<>(lines.length);
        for (String line : lines) {
            String[] p = line.split("\\|", -1);
            if (p.length == 4) {
                int number;
                try {
                    number = Integer.parseInt(p[3]);
                } catch (NumberFormatException e) {
                    number = -1;
                }
                frames.add(new StackTraceElement(p[0], p[1], "null".equals(p[2]) ? null : p[2], number));
            }
        }
        return frames.toArray(new StackTraceElement[0]);
    }

    private String kernel(long callable) {
        return callable >= 0 && callable < kernelNames.size()
                ? "'" + kernelNames.get((int) callable) + "' (callable " + callable + ")"
                : "#" + callable;
    }

    // ---- child lifecycle -----------------------------------------------------------------------------------

    /** Children started after the first one: restarts after a death, a kill or a hang. */
    public long restarts() {
        return Math.max(0, launches.get() - 1);
    }

    private Child ensureChild() {
        Child c = child;
        if (c != null && c.process.isAlive()) {
            return c;
        }
        if (c != null) {
            LOG.warn("chip {}'s process (pid {}) ended while idle ({}); starting a fresh one", chipIndex, c.pid(),
                    describeExit(exitCode(c.process)));
            discard(c);
        }
        launchLocked();
        awaitReadyLocked();
        return child;
    }

    private void launchLocked() {
        lock.lock();
        try {
            if (closed) {
                throw new ChipProcessException(Reason.CLOSED, chipIndex, -1, "chip " + chipIndex
                        + "'s process proxy is closed");
            }
            child = launch();
            launches.incrementAndGet();
            try {
                Runtime.getRuntime().addShutdownHook(exitHook);
            } catch (IllegalArgumentException alreadyRegistered) {
                // Registered with an earlier child; it covers whichever child is current.
            }
        } finally {
            lock.unlock();
        }
    }

    private void awaitReadyLocked() {
        lock.lock();
        try {
            Child c = child;
            if (c == null) {
                throw new ChipProcessException(Reason.START_FAILED, chipIndex, -1, "chip " + chipIndex
                        + "'s process was not launched");
            }
            awaitReady(c);
        } finally {
            lock.unlock();
        }
    }

    private Child launch() {
        String base = "strata-" + ProcessHandle.current().pid() + "-chip" + chipIndex + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        Path output = dir.resolve(base + ".log");
        Mailbox mailbox = Mailbox.create(dir.resolve(base + ".mbox"), settings.mailboxSize());
        Doorbell.Listener listener = null;
        List<String> command = null;
        try {
            listener = Doorbell.listen(socketPath(base));
            ChildSpec spec = new ChildSpec(ProcessHandle.current().pid(), chipIndex, mailbox.file(), output,
                    listener.path(), memory.file().toAbsolutePath(), memory.arenaSize(), memory.heapSize(),
                    chipThreads, settings.heartbeatInterval().toNanos(), kernelClasses, kernelNames);
            command = command(spec);
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
            Process p = builder
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(output.toFile()))
                    .start();
            p.getOutputStream().close(); // the child reads nothing from stdin
            Child c = new Child(p, mailbox, output, listener);
            p.onExit().thenRun(() -> {
                if (!c.stopping) {
                    LOG.warn("chip {}'s process (pid {}) ended unexpectedly: {}", chipIndex, c.pid(),
                            describeExit(exitCode(p)));
                }
            });
            return c;
        } catch (IOException | RuntimeException e) {
            if (listener != null) {
                listener.close();
            }
            mailbox.close();
            Mailbox.deleteQuietly(output);
            throw new ChipProcessException(Reason.START_FAILED, chipIndex, -1, "cannot start chip " + chipIndex
                    + "'s process" + (command == null ? "" : " with " + command.get(0)) + ": " + e);
        }
    }

    /** The doorbell socket: next to the mailbox unless that path is too long for a Unix socket. */
    private Path socketPath(String base) {
        Path p = dir.resolve(base + ".sock");
        if (p.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return p;
        }
        return Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath()
                .resolve("strata-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".sock");
    }

    /** Accepts the child's doorbell connection, then waits for its ready handshake; both within start-timeout. */
    private void awaitReady(Child c) {
        long start = c.launchedNanos;
        long deadline = start + settings.startTimeout().toNanos();
        try {
            while (c.doorbell == null || c.mailbox.readyPid() == 0) {
                long left = closed ? 0 : deadline - System.nanoTime(); // close() during a start: stop waiting
                if (!c.process.isAlive()) {
                    int code = exitCode(c.process);
                    String tail = outputTail(c);
                    discard(c);
                    throw new ChipProcessException(Reason.START_FAILED, chipIndex, code, "chip " + chipIndex
                            + "'s process (pid " + c.pid() + ") exited before it was ready: " + describeExit(code)
                            + tail);
                }
                if (left <= 0) {
                    c.stopping = true;
                    c.process.destroyForcibly();
                    int code = exitCode(c.process);
                    String tail = outputTail(c);
                    discard(c);
                    throw new ChipProcessException(Reason.START_FAILED, chipIndex, code, "chip " + chipIndex
                            + "'s process (pid " + c.pid() + ") was not ready within " + settings.startTimeout()
                            + " (strata.worker.process.start-timeout); killed it" + tail);
                }
                long wait = Math.min(left, START_POLL_NANOS);
                if (c.doorbell == null) {
                    c.doorbell = c.listener.accept(wait);
                    if (c.doorbell != null) {
                        c.listener.close(); // removes the socket file: the connection stays
                        c.listener = null;
                    }
                } else if (c.doorbell.await(wait) == Wake.CLOSED) {
                    waitFor(c.process, Duration.ofNanos(Math.max(1, left))); // it is ending: collect the exit code
                }
            }
        } catch (IOException e) {
            c.stopping = true;
            discard(c);
            throw new ChipProcessException(Reason.START_FAILED, chipIndex, -1, "chip " + chipIndex
                    + "'s process (pid " + c.pid() + ") could not connect its doorbell: " + e);
        }
        LOG.debug("chip {}'s process (pid {}) ready after {} ms", chipIndex, c.pid(),
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Ends a child: SHUTDOWN if we may touch its mailbox, then kill after a grace; removes its files. */
    private void stop(Child c, boolean mayTouchMailbox) {
        c.stopping = true;
        if (mayTouchMailbox && c.process.isAlive() && c.mailbox.requestShutdown() && c.doorbell != null) {
            c.doorbell.ring();
        }
        if (!waitFor(c.process, STOP_GRACE)) {
            c.process.destroyForcibly();
            if (!waitFor(c.process, STOP_GRACE)) {
                LOG.error("chip {}'s process (pid {}) did not end within {} of being killed", chipIndex, c.pid(),
                        STOP_GRACE);
            }
        }
        if (mayTouchMailbox) {
            c.closeChannels();
            c.mailbox.close();
        } else {
            // A running task may still use them: leave the unmapping to the GC, just remove the files.
            Mailbox.deleteQuietly(c.mailbox.file());
            if (c.listener != null) {
                Mailbox.deleteQuietly(c.listener.path());
            }
        }
        Mailbox.deleteQuietly(c.output);
    }

    /** Forgets an ended child: unmaps and deletes its mailbox and output; the next task starts a fresh one. */
    private void discard(Child c) {
        c.stopping = true;
        if (c.process.isAlive()) {
            c.process.destroyForcibly();
            waitFor(c.process, STOP_GRACE);
        }
        c.closeChannels();
        c.mailbox.close();
        Mailbox.deleteQuietly(c.output);
        if (child == c) {
            child = null;
        }
    }

    /** At JVM exit without close(): no child may outlive us (they would notice within a heartbeat anyway). */
    private void killAtExit() {
        Child c = child;
        if (c != null) {
            c.stopping = true;
            c.process.destroyForcibly();
            Mailbox.deleteQuietly(c.mailbox.file());
            Mailbox.deleteQuietly(c.output);
            if (c.listener != null) {
                Mailbox.deleteQuietly(c.listener.path());
            }
        }
    }

    private List<String> command(ChildSpec spec) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand());
        // 2 cores: the common pool would otherwise have parallelism 1 in the child too.
        cmd.add("-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
        cmd.addAll(settings.jvmOptions());
        // The class path goes through CLASSPATH (see start): as one argument it could pass Linux's 128 KiB limit.
        cmd.add(ChipProcessMain.class.getName());
        cmd.addAll(spec.toArgs());
        return cmd;
    }

    private String javaCommand() {
        if (!settings.java().isEmpty()) {
            return settings.java();
        }
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static boolean waitFor(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private static int exitCode(Process p) {
        return waitFor(p, STOP_GRACE) ? p.exitValue() : -1;
    }

    /** "exit code 137 (killed by signal 9, SIGKILL)" and the like. */
    static String describeExit(int code) {
        if (code < 0) {
            return "exit code unknown, it did not end";
        }
        if (code > 128 && code < 128 + 32) {
            int signal = code - 128;
            String name = switch (signal) {
                case 6 -> ", SIGABRT";
                case 7 -> ", SIGBUS";
                case 9 -> ", SIGKILL";
                case 11 -> ", SIGSEGV";
                case 15 -> ", SIGTERM";
                default -> "";
            };
            return "exit code " + code + " (killed by signal " + signal + name + ")";
        }
        return "exit code " + code;
    }

    /** The last lines the child wrote to stdout/stderr, as a suffix for an error message ("" if none). */
    private static String outputTail(Child c) {
        try (RandomAccessFile f = new RandomAccessFile(c.output.toFile(), "r")) {
            long length = f.length();
            if (length == 0) {
                return "; it wrote no output";
            }
            int n = (int) Math.min(OUTPUT_TAIL_BYTES, length);
            byte[] bytes = new byte[n];
            f.seek(length - n);
            f.readFully(bytes);
            String tail = new String(bytes, StandardCharsets.UTF_8).strip();
            return "; its output ends with:\n" + (n < length ? "..." : "") + tail;
        } catch (IOException e) {
            return Files.exists(c.output) ? "; its output cannot be read: " + e : "";
        }
    }
}
