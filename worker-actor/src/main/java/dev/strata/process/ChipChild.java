package dev.strata.process;

import dev.strata.memory.MappedFile;
import dev.strata.config.InvalidSettingException;
import dev.strata.config.ProcessSettings;
import dev.strata.process.ChipProcessException.Reason;
import dev.strata.process.Doorbell.Wake;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsView;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One incarnation of a chip's child JVM, from launch to reaping: its process, mailbox, doorbell and output
 * file. It waits for the ready handshake, waits for a task's TASK_DONE while watching the child's exit, its
 * heartbeat and the task timeout, and ends the child (asked, killed or found dead), removing its files.
 *
 * <p>A wait that fails leaves the child {@linkplain #discarded() discarded}: killed, reaped, its files gone;
 * its owner ({@link ChipProcess}) then starts a fresh one. Driven by the owner's thread, except
 * {@link #destroy} and {@link #killAtExit}, which any thread may call to end the child at once.
 */
final class ChipChild {
    private static final Logger LOG = LoggerFactory.getLogger(ChipChild.class);

    /** How long an ending child may take: after SHUTDOWN before it is killed, and after a kill. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);

    // The answer to a short kernel lands within microseconds: spin first; then leave the core to the child
    // (2 cores here); then block on the doorbell, so a long kernel costs its proxy nothing. The phases are
    // measured (docs/process-mode.md): a timed park costs ~100 us here, a doorbell wake ~15 us.
    private static final long SPIN_NANOS = 1_000;
    private static final long YIELD_NANOS = 50_000;
    private static final long START_POLL_NANOS = 50_000_000;
    private static final int OUTPUT_TAIL_BYTES = 2048;

    private final int chipIndex;
    private final Process process;
    private final Mailbox mailbox;
    private final Path output;
    private final ProcessSettings settings;
    private final Backoff backoff = new Backoff(SPIN_NANOS, YIELD_NANOS);
    private final long launchedNanos = System.nanoTime(); // start-timeout counts from here, for all children at once
    private Doorbell.Listener listener; // until the child connects
    private Doorbell doorbell;          // after
    private volatile boolean stopping;  // this side ends the child: its exit is not reported as a crash
    private volatile boolean ready;     // before, an exit is awaitReady's to report
    private volatile boolean discarded;

    /**
     * Takes over a launched child; {@code listener} is where its doorbell connects. Logs the child's exit
     * if it ends by itself after it was ready (before, {@link #awaitReady} reports it).
     */
    ChipChild(int chipIndex, Process process, Mailbox mailbox, Path output, Doorbell.Listener listener,
              ProcessSettings settings) {
        this.chipIndex = chipIndex;
        this.process = process;
        this.mailbox = mailbox;
        this.output = output;
        this.listener = listener;
        this.settings = settings;
        process.onExit().thenRun(() -> {
            if (ready && !stopping) {
                LOG.warn("chip {}'s process (pid {}) ended unexpectedly: {}", chipIndex, pid(),
                        describeExit(exitCode()));
            }
        });
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Whether this child was ended and its files removed; such a child is never used again. */
    boolean discarded() {
        return discarded;
    }

    Mailbox mailbox() {
        return mailbox;
    }

    // ---- ready handshake ----------------------------------------------------------------------------------

    /**
     * Accepts the child's doorbell connection, then waits for its ready handshake; both within
     * {@code start-timeout} of the launch. Stops waiting at once when {@code abandon} holds.
     *
     * @param firstStart whether no child of this chip was ready before: only then can a child that exits
     *                   early be the fault of its launch settings ({@link BadLaunchSetting})
     * @throws InvalidSettingException (the child discarded) if it exits first because {@code java} or
     *                                 {@code jvm-options} cannot work, and {@code firstStart}
     * @throws ChipProcessException    START_FAILED (the child discarded) if it exits first otherwise, is not
     *                                 ready in time, or cannot connect its doorbell
     */
    void awaitReady(BooleanSupplier abandon, boolean firstStart) {
        long deadline = launchedNanos + settings.startTimeout().toNanos();
        try {
            while (doorbell == null || mailbox.readyPid() == 0) {
                long left = abandon.getAsBoolean() ? 0 : deadline - System.nanoTime();
                if (!process.isAlive()) {
                    int code = exitCode();
                    boolean connected = doorbell != null || connectedBeforeItEnded();
                    String output = lastOutput();
                    String tail = outputTail();
                    discard();
                    if (firstStart) {
                        BadLaunchSetting.exitedBeforeReady(settings, chipIndex, code, connected, output)
                                .ifPresent(bad -> {
                                    throw bad;
                                });
                    }
                    throw new ChipProcessException(Reason.START_FAILED, chipIndex, code, "chip " + chipIndex
                            + "'s process (pid " + pid() + ") exited before it was ready: " + describeExit(code)
                            + tail);
                }
                if (left <= 0) {
                    destroy();
                    int code = exitCode();
                    String tail = outputTail();
                    discard();
                    throw new ChipProcessException(Reason.START_FAILED, chipIndex, code, "chip " + chipIndex
                            + "'s process (pid " + pid() + ") was not ready within " + settings.startTimeout()
                            + " (strata.worker.process.start-timeout); killed it" + tail);
                }
                long wait = Math.min(left, START_POLL_NANOS);
                if (doorbell == null) {
                    doorbell = listener.accept(wait);
                    if (doorbell != null) {
                        listener.close(); // removes the socket file: the connection stays
                        listener = null;
                    }
                } else if (doorbell.await(wait) == Wake.CLOSED) {
                    waitFor(process, Duration.ofNanos(Math.max(1, left))); // it is ending: collect the exit code
                }
            }
        } catch (IOException e) {
            discard();
            throw new ChipProcessException(Reason.START_FAILED, chipIndex, -1, "chip " + chipIndex
                    + "'s process (pid " + pid() + ") could not connect its doorbell: " + e);
        }
        ready = true;
        LOG.debug("chip {}'s process (pid {}) ready after {} ms", chipIndex, pid(),
                (System.nanoTime() - launchedNanos) / 1_000_000);
    }

    /** Whether an ended child had connected its doorbell: the connection waits in the listener's backlog. */
    private boolean connectedBeforeItEnded() throws IOException {
        Doorbell d = listener.accept(0);
        if (d == null) {
            return false;
        }
        d.close();
        return true;
    }

    // ---- a task -------------------------------------------------------------------------------------------

    /** Posts a task (with its tags when {@code withTags}: the child checks them) and rings the child if it sleeps. */
    void post(long callable, CallConfig config, int groupIndex, TaskArgsView args, boolean withTags) {
        if (mailbox.post(callable, config, groupIndex, args, withTags)) {
            doorbell.ring();
        }
    }

    /**
     * Waits for TASK_DONE of the task posted at {@code start}: spinning, then yielding, then blocked on the
     * doorbell, waking every heartbeat interval to check the heartbeat, the task timeout and {@code stop}.
     *
     * @param callable   the task's kernel
     * @param kernelName describes a kernel in error messages (only called on a failure)
     * @param stop       when it holds, the task is abandoned (the owner closed, or must stop otherwise)
     * @throws ChipProcessException (the child discarded) CHILD_DIED if it ended, HEARTBEAT_LOST,
     *                              TASK_TIMEOUT or CLOSED after killing it
     */
    void awaitDone(long start, long callable, LongFunction<String> kernelName, BooleanSupplier stop) {
        backoff.start(start);
        while (mailbox.state() != Mailbox.TASK_DONE) {
            if (!backoff.idle()) {
                awaitDoneBlocking(start, callable, kernelName, stop);
                return;
            }
        }
    }

    private void awaitDoneBlocking(long start, long callable, LongFunction<String> kernelName,
                                   BooleanSupplier stop) {
        long taskTimeout = settings.taskTimeout().toNanos();
        long heartbeatTimeout = settings.heartbeatTimeout().toNanos();
        long check = settings.heartbeatInterval().toNanos();
        long lastBeat = mailbox.heartbeat();
        long lastBeatAt = System.nanoTime();
        while (true) {
            if (mailbox.parentSleeps() == Mailbox.TASK_DONE) {
                mailbox.parentAwake();
                return;
            }
            long now = System.nanoTime();
            long beat = mailbox.heartbeat();
            if (beat != lastBeat) {
                lastBeat = beat;
                lastBeatAt = now;
            } else if (now - lastBeatAt > heartbeatTimeout) {
                mailbox.parentAwake();
                throw kill(kernelName.apply(callable), Reason.HEARTBEAT_LOST, "stopped its heartbeat for more than "
                        + settings.heartbeatTimeout() + " (strata.worker.process.heartbeat-timeout)");
            }
            if (now - start > taskTimeout) {
                mailbox.parentAwake();
                throw kill(kernelName.apply(callable), Reason.TASK_TIMEOUT, "did not finish within "
                        + settings.taskTimeout() + " (strata.worker.process.task-timeout)");
            }
            boolean stopped = stop.getAsBoolean();
            if (stopped || Thread.currentThread().isInterrupted()) {
                mailbox.parentAwake();
                throw kill(kernelName.apply(callable), Reason.CLOSED, stopped ? "was stopped because the proxy closed"
                        : "was stopped because the worker thread was interrupted");
            }
            Wake wake;
            try {
                wake = doorbell.await(Math.max(1, Math.min(check, start + taskTimeout - now)));
            } catch (IOException e) {
                wake = Wake.CLOSED;
            }
            mailbox.parentAwake();
            if (mailbox.state() == Mailbox.TASK_DONE) {
                return;
            }
            if (wake == Wake.CLOSED || !process.isAlive()) {
                throw died(kernelName.apply(callable));
            }
        }
    }

    private ChipProcessException died(String kernel) {
        int code = exitCode(); // its doorbell closes with it; the exit code follows within moments
        String tail = outputTail();
        discard();
        return new ChipProcessException(Reason.CHILD_DIED, chipIndex, code, "chip " + chipIndex + "'s process (pid "
                + pid() + ") died while running kernel " + kernel + ": " + describeExit(code) + tail);
    }

    private ChipProcessException kill(String kernel, Reason reason, String what) {
        destroy();
        int code = exitCode();
        String tail = outputTail();
        discard();
        return new ChipProcessException(reason, chipIndex, code, "kernel " + kernel + " on chip " + chipIndex
                + " " + what + "; killed its process (pid " + pid() + ", " + describeExit(code)
                + "), the next task starts a fresh one" + tail);
    }

    // ---- ending it ----------------------------------------------------------------------------------------

    /** Kills the child at once (SIGKILL) without waiting; its owner's wait then fails. Any thread. */
    void destroy() {
        stopping = true;
        process.destroyForcibly();
    }

    /**
     * Ends the child: SHUTDOWN (if {@code mayTouchMailbox}) and a grace, then a kill; removes its files. A
     * caller that may race a running task passes false: the mailbox and doorbell stay mapped and open (the
     * GC reclaims them), only the files go.
     */
    void stop(boolean mayTouchMailbox) {
        stopping = true;
        if (mayTouchMailbox && process.isAlive() && mailbox.requestShutdown() && doorbell != null) {
            doorbell.ring();
        }
        if (!waitFor(process, STOP_GRACE)) {
            process.destroyForcibly();
            if (!waitFor(process, STOP_GRACE)) {
                LOG.error("chip {}'s process (pid {}) did not end within {} of being killed", chipIndex, pid(),
                        STOP_GRACE);
            }
        }
        if (mayTouchMailbox) {
            closeChannels();
            mailbox.close();
        } else {
            MappedFile.deleteQuietly(mailbox.file());
            if (listener != null) {
                MappedFile.deleteQuietly(listener.path());
            }
        }
        MappedFile.deleteQuietly(output);
        discarded = true;
    }

    /** Forgets an ended (or ending) child: kills and reaps it, unmaps and deletes its mailbox and output. */
    void discard() {
        stopping = true;
        if (process.isAlive()) {
            process.destroyForcibly();
            waitFor(process, STOP_GRACE);
        }
        closeChannels();
        mailbox.close();
        MappedFile.deleteQuietly(output);
        discarded = true;
    }

    /** At JVM exit without close(): kills the child and removes its files, touching no mapping. */
    void killAtExit() {
        destroy();
        MappedFile.deleteQuietly(mailbox.file());
        MappedFile.deleteQuietly(output);
        if (listener != null) {
            MappedFile.deleteQuietly(listener.path());
        }
    }

    private void closeChannels() {
        if (listener != null) {
            listener.close();
        }
        if (doorbell != null) {
            doorbell.close();
        }
    }

    // ---- how it ended -------------------------------------------------------------------------------------

    /** The exit code, waiting up to {@link #STOP_GRACE} for the process to end; -1 if it did not. */
    int exitCode() {
        return waitFor(process, STOP_GRACE) ? process.exitValue() : -1;
    }

    private static boolean waitFor(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
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
    String outputTail() {
        try {
            String tail = readOutputTail();
            return tail.isEmpty() ? "; it wrote no output" : "; its output ends with:\n" + tail;
        } catch (IOException e) {
            return Files.exists(output) ? "; its output cannot be read: " + e : "";
        }
    }

    /** The last {@value #OUTPUT_TAIL_BYTES} bytes of the child's output, "" if none or unreadable. */
    private String lastOutput() {
        try {
            return readOutputTail();
        } catch (IOException e) {
            return "";
        }
    }

    private String readOutputTail() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(output.toFile(), "r")) {
            long length = f.length();
            int n = (int) Math.min(OUTPUT_TAIL_BYTES, length);
            byte[] bytes = new byte[n];
            f.seek(length - n);
            f.readFully(bytes);
            String tail = new String(bytes, StandardCharsets.UTF_8).strip();
            return (n < length ? "..." : "") + tail;
        }
    }

    @Override
    public String toString() {
        return "ChipChild[chip " + chipIndex + ", pid " + pid() + (discarded ? ", discarded" : "") + "]";
    }
}
