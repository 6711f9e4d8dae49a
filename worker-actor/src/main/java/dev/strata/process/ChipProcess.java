package dev.strata.process;

import dev.strata.config.ProcessSettings;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.process.ChipProcessException.Reason;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskError;
import dev.strata.worker.GroupTaskWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chip-process proxy: the {@link GroupTaskWorker} of one PROCESS-mode chip. Its child JVM
 * ({@link ChipProcessMain}) is started by a {@link ChildLauncher} and watched by a {@link ChipChild};
 * {@link #run} posts the dispatch to the child's mailbox and waits for TASK_DONE, and turns the child's
 * answer — or its death, hang or timeout — into success or a {@link ChipProcessException}. A child that
 * died, hung or was killed is replaced by a fresh one at the next task.
 *
 * <p>Driven by its worker actor's single thread; {@link #close()} may also be called from another thread
 * (the engine's last-resort cleanup) and then kills the child to unblock a running task.
 */
public final class ChipProcess implements GroupTaskWorker {
    private static final Logger LOG = LoggerFactory.getLogger(ChipProcess.class);

    private final int chipIndex;
    private final List<String> kernelNames;
    private final ChildLauncher launcher;
    private final RoundTripStats roundTrips;
    private final boolean checkTags;
    private String warning; // the last task's tag-check warning from the child, until the worker actor takes it
    private final AtomicLong launches = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread exitHook = new Thread(this::killAtExit, "strata-chip-process-cleanup");
    /** How often an injected delay looks whether the proxy closed. */
    private static final long HOLD_SLICE_MILLIS = 20;

    private volatile ChipChild child;
    private volatile boolean closed;
    private volatile boolean everReady; // since then a failed start is never the launch settings' fault
    // Made once, not per task: the wait consults them only when something goes wrong or it blocks.
    private final LongFunction<String> kernelName = this::kernel;
    private final BooleanSupplier isClosed = () -> closed;

    /**
     * A proxy for chip {@code chipIndex}; no child runs until {@link #start()} (or the first task).
     *
     * @param kernelNames registered kernel names, index = callable id
     * @param kernels     the registered kernels; the child makes its own instance of each one's class
     * @param roundTrips  where every task's round trip is recorded; shared by the proxies of one engine
     * @throws IllegalArgumentException if a kernel's class cannot be instantiated by name in a child
     */
    public ChipProcess(int chipIndex, List<String> kernelNames, List<? extends ChipKernel> kernels,
                       SharedTensorMemory memory, int chipThreads, ProcessSettings settings,
                       RoundTripStats roundTrips) {
        this(chipIndex, kernelNames, kernels, memory, chipThreads, settings, roundTrips, false);
    }

    /**
     * As above, with the tag checker {@code checkTags} ({@code strata.check.tags}) on or off: when on, each task's
     * tags travel in the mailbox and the child checks the task where its kernel runs.
     */
    public ChipProcess(int chipIndex, List<String> kernelNames, List<? extends ChipKernel> kernels,
                       SharedTensorMemory memory, int chipThreads, ProcessSettings settings,
                       RoundTripStats roundTrips, boolean checkTags) {
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
        this.launcher = new ChildLauncher(chipIndex, classes, kernelNames, memory, chipThreads, settings, checkTags);
        this.checkTags = checkTags;
        this.roundTrips = roundTrips;
    }

    /**
     * Starts every proxy's child at once, then waits for each ready handshake; on any failure closes them
     * all and rethrows, so either all children run or none does.
     *
     * @throws dev.strata.config.InvalidSettingException naming {@code strata.worker.process.java} or
     *                                                   {@code jvm-options} when a child cannot start because of it
     * @throws ChipProcessException                      START_FAILED when a child does not come up otherwise
     */
    public static void startAll(List<ChipProcess> proxies) {
        try {
            for (ChipProcess p : proxies) {
                p.launch();
            }
            for (ChipProcess p : proxies) {
                p.awaitReady();
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

    /** The round trips this proxy records into (handed in at construction). */
    public RoundTripStats roundTrips() {
        return roundTrips;
    }

    /** The running child's pid, or -1 when none runs. */
    public long pid() {
        ChipChild c = child;
        return c != null && !c.discarded() && c.isAlive() ? c.pid() : -1;
    }

    /** Children started after the first one: restarts after a death, a kill or a hang. */
    public long restarts() {
        return Math.max(0, launches.get() - 1);
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
            requireOpen();
            ChipChild c = ensureChild();
            long start = System.nanoTime();
            c.post(callable, config, groupIndex, args, checkTags);
            c.awaitDone(start, callable, kernelName, isClosed);
            roundTrips.record(System.nanoTime() - start);
            Mailbox m = c.mailbox();
            int error = m.error();
            String text = error == Mailbox.OK ? null : m.errorText();
            m.reset();
            if (error == Mailbox.WARNED) {
                warning = text;
            } else if (text != null) {
                throw childError(c.pid(), callable, error, TaskError.fromText(text));
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String takeWarning() {
        String w = warning;
        warning = null;
        return w;
    }

    /**
     * Asks the child to shut down, waits a few seconds, then kills it; removes its files. Idempotent; safe
     * from any thread.
     */
    @Override
    public void close() {
        closed = true;
        boolean locked = lock.tryLock();
        if (!locked) {
            // A task is running on the worker thread: killing the child makes its wait fail at once.
            ChipChild c = child;
            if (c != null) {
                c.destroy();
            }
            try {
                locked = lock.tryLock(ChipChild.STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            ChipChild c = child;
            child = null;
            if (c != null && !c.discarded()) {
                c.stop(locked);
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
        ChipChild c = child;
        return "ChipProcess[chip " + chipIndex + (c == null || c.discarded() ? ", no child" : ", pid " + c.pid())
                + (closed ? ", closed" : "") + "]";
    }

    /** The child's answer to a failed task, with the child's stack: that is what explains a kernel failure. */
    private ChipProcessException childError(long pid, long callable, int error, TaskError answer) {
        String what = (answer.exceptionClass().isEmpty() ? "unknown exception" : answer.exceptionClass())
                + (answer.message() == null ? "" : ": " + answer.message());
        ChipProcessException e = error == Mailbox.KERNEL_FAILED
                ? new ChipProcessException(Reason.KERNEL_FAILED, chipIndex, -1, "kernel " + kernel(callable)
                        + " failed in chip " + chipIndex + "'s process (pid " + pid + "): " + what)
                : new ChipProcessException(Reason.BAD_DISPATCH, chipIndex, -1, "chip " + chipIndex + "'s process (pid "
                        + pid + ") rejected the dispatch of kernel " + kernel(callable) + ": " + what);
        if (!answer.stack().isEmpty()) {
            e.setStackTrace(answer.stackTrace());
        }
        return e;
    }

    private String kernel(long callable) {
        return callable >= 0 && callable < kernelNames.size()
                ? "'" + kernelNames.get((int) callable) + "' (callable " + callable + ")"
                : "#" + callable;
    }

    /**
     * An injected delay: nothing of this proxy is interrupted when it closes, so the hold looks at {@code closed}
     * every few milliseconds and ends, failing the task, once it is.
     */
    @Override
    public void hold(long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long left = millis; left > 0; left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())) {
            requireOpen();
            Thread.sleep(Math.min(left, HOLD_SLICE_MILLIS));
        }
        requireOpen();
    }

    private void requireOpen() {
        if (closed) {
            throw new ChipProcessException(Reason.CLOSED, chipIndex, -1, "chip " + chipIndex
                    + "'s process proxy is closed");
        }
    }

    // ---- the current child ---------------------------------------------------------------------------------

    private ChipChild ensureChild() {
        ChipChild c = child;
        if (c != null && !c.discarded() && c.isAlive()) {
            return c;
        }
        if (c != null && !c.discarded()) {
            LOG.warn("chip {}'s process (pid {}) ended while idle ({}); starting a fresh one", chipIndex, c.pid(),
                    ChipChild.describeExit(c.exitCode()));
            c.discard();
        }
        launch();
        awaitReady();
        return child;
    }

    private void launch() {
        lock.lock();
        try {
            requireOpen();
            child = launcher.launch(!everReady);
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

    private void awaitReady() {
        lock.lock();
        try {
            ChipChild c = child;
            if (c == null || c.discarded()) {
                throw new ChipProcessException(Reason.START_FAILED, chipIndex, -1, "chip " + chipIndex
                        + "'s process was not launched");
            }
            c.awaitReady(isClosed, !everReady); // close() during a start: stop waiting
            everReady = true;
        } finally {
            lock.unlock();
        }
    }

    /** At JVM exit without close(): no child may outlive us (they would notice soon anyway). */
    private void killAtExit() {
        ChipChild c = child;
        if (c != null) {
            c.killAtExit();
        }
    }
}
