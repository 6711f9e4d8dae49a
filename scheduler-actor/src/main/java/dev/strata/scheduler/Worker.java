package dev.strata.scheduler;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.config.ChipMode;
import dev.strata.config.ProcessSettings;
import dev.strata.config.TraceSettings;
import dev.strata.config.WorkerSettings;
import dev.strata.dispatch.SchedulerActor;
import dev.strata.dispatch.SchedulerActor.FailureReport;
import dev.strata.dispatch.SchedulerActor.RunOutcome;
import dev.strata.metrics.EngineMetricsMBean;
import dev.strata.orchestrator.Catalog;
import dev.strata.orchestrator.DagOrchestrator;
import dev.strata.process.KernelClasses;
import dev.strata.process.Mailbox;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.SubCallable;
import dev.strata.protocol.TensorMemory;
import dev.strata.trace.ChromeTrace;
import dev.strata.trace.RunTrace;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.ObjectName;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Strata engine (an L3 host, or a higher level): register callables, {@link #init()}, then
 * {@link #run(Task)} orchestration functions as often as needed, and {@link #close()}.
 *
 * <pre>{@code
 * try (Worker w = Worker.builder().numSubWorkers(2).build()) {
 *     int hello = w.register(ctx -> System.out.println("hello " + ctx.args().scalar(0)));
 *     w.init();
 *     w.run(Task.of((orch, args, cfg) -> orch.submitSub(hello, new TaskArgs().addScalar(42))));
 * }
 * }</pre>
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final int MAX_LOGGED_FAILURES = 20;
    private static final Duration OUTCOME_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final WorkerSettings settings;
    private final Config config;
    private final List<SubCallable> subCallables = new ArrayList<>();
    private final List<ChipKernel> chipKernels = new ArrayList<>();
    private final List<String> chipNames = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Object runEnded = new Object(); // notified when a run returns, for close()
    private volatile Thread runThread;
    private volatile Engine engine;
    private volatile boolean closed;
    private volatile String broken; // why this worker can no longer run, once a run could not drain
    private Catalog catalog;
    private RunOutcome lastOutcome;
    private volatile RunTrace lastTrace;
    private volatile long runStartNanos;
    private volatile long runEndNanos;
    private int runs; // runs started on this worker, for trace file names and log lines

    private Worker(WorkerSettings settings, Config config) {
        this.settings = settings;
        this.config = config;
    }

    /** A builder with the defaults of {@code reference.conf}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A worker configured by section {@code strata.worker} (and {@code strata.run}) of {@code config};
     * missing keys take their defaults, invalid ones throw {@link dev.strata.config.InvalidSettingException}
     * naming the key.
     */
    public static Worker fromConfig(Config config) {
        Config full = config.withFallback(ConfigFactory.load());
        return new Worker(WorkerSettings.fromConfig(full), full);
    }

    /** Registers a sub callable and returns its id; only before {@link #init()}. */
    public synchronized int register(SubCallable fn) {
        Objects.requireNonNull(fn, "sub callable must not be null");
        checkNotInitialised("register");
        subCallables.add(fn);
        return subCallables.size() - 1;
    }

    /**
     * Registers a chip kernel under a unique name and returns its id; only before {@link #init()}. In PROCESS
     * mode each chip's child JVM makes its own instance of the kernel's class, so the class must be public,
     * top-level or static nested, with a public no-arg constructor: a lambda, anonymous, local, inner or
     * non-public class throws {@link IllegalArgumentException} saying why.
     */
    public synchronized long registerChipCallable(String name, ChipKernel kernel) {
        Objects.requireNonNull(kernel, "chip kernel must not be null");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("chip callable name must not be blank");
        }
        checkNotInitialised("registerChipCallable");
        if (chipNames.contains(name)) {
            throw new IllegalArgumentException("chip callable name '" + name + "' is already registered");
        }
        if (settings.mode() == ChipMode.PROCESS) {
            KernelClasses.requireLoadable(name, kernel);
        }
        chipKernels.add(kernel);
        chipNames.add(name);
        return chipKernels.size() - 1;
    }

    /**
     * Maps the tensor memory and starts the ring, scheduler and worker actors; once. In PROCESS mode it also
     * starts one child JVM per chip worker and waits for each to be ready.
     */
    public synchronized void init() {
        checkNotClosed();
        if (engine != null) {
            throw new IllegalStateException("init() called twice on " + this);
        }
        // A chip task's args travel as a blob in the child's mailbox: bound them at submit, not in the child.
        int chipArgsLimit = settings.mode() == ChipMode.PROCESS && settings.chipWorkers() > 0
                ? Mailbox.argsCapacity(settings.process().mailboxSize()) : Catalog.NO_LIMIT;
        catalog = new Catalog(subCallables.size(), chipNames, settings.subWorkers(), settings.chipWorkers(),
                chipArgsLimit);
        engine = Engine.start(settings, config, List.copyOf(subCallables), List.copyOf(chipKernels),
                List.copyOf(chipNames));
    }

    /**
     * Runs {@code task}'s orchestration function in a fresh outermost scope and returns once every task it
     * submitted has completed and been consumed.
     *
     * @throws TaskFailedException after the drain, if a task or the orch fn failed (first failure as cause)
     */
    public void run(Task task) {
        Objects.requireNonNull(task, "task must not be null");
        Engine e = requireEngine();
        if (broken != null) {
            throw new IllegalStateException("this worker cannot run any more: " + broken + "; close it");
        }
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("a run is already in progress on this worker");
        }
        runThread = Thread.currentThread();
        try {
            runOnce(e, task);
        } finally {
            runThread = null;
            synchronized (runEnded) {
                running.set(false);
                runEnded.notifyAll();
            }
        }
    }

    private void runOnce(Engine e, Task task) {
        int run = ++runs;
        boolean tracing = settings.trace().enabled();
        e.progress.reset(); // the scheduler is idle between runs: it writes only while a run's messages arrive
        long waitsBefore = e.ring.backPressureWaits();
        LOG.info("run {} started on level-{} engine ({} chip, {} sub workers{})", run, settings.level(),
                settings.chipWorkers(), settings.subWorkers(), tracing ? ", tracing" : "");
        long start = System.nanoTime();
        runEndNanos = 0;
        runStartNanos = start;
        long deadline = start + settings.runTimeout().toNanos();
        DagOrchestrator orch = new DagOrchestrator(catalog, e.ring, settings.allocTimeout(), e.scheduler::tell,
                tracing);
        Throwable orchFailure = null;
        try {
            task.orch().run(orch, task.args().view(), task.config());
        } catch (Throwable t) {
            orchFailure = t;
        } finally {
            orch.finish();
        }
        try {
            awaitDrain(e, deadline, orchFailure);
        } catch (TaskFailedException notDrained) {
            runEndNanos = System.nanoTime();
            LOG.error("run {} failed: {}", run, notDrained.getMessage());
            throw notDrained;
        }
        RunOutcome outcome = finishRun(e);
        long end = System.nanoTime();
        runEndNanos = end;
        // Read before the reset, which clears the high-water mark.
        long highWater = e.ring.highWaterBytes();
        long waits = e.ring.backPressureWaits() - waitsBefore;
        e.ring.reset();
        lastOutcome = outcome;
        e.metrics.runFinished(outcome.completedTasks() - outcome.failedTasks(), outcome.failedTasks(),
                outcome.skippedTasks(), outcome.earlyDispatches(), waits, highWater, end - start, outcome.metrics());
        if (tracing) {
            RunTrace trace = new RunTrace(e.node, run, start, end, e.workerNames, settings.heapRingSize(), highWater,
                    waits, outcome.trace());
            lastTrace = trace;
            writeTrace(run, trace);
        }
        logRunEnd(run, outcome, end - start, orchFailure);
        if (orchFailure != null) {
            TaskFailedException failure = new TaskFailedException("orchestration function failed: " + orchFailure,
                    -1, "orch", orchFailure);
            outcome.failures().forEach(f -> failure.addSuppressed(toException(f, outcome)));
            throw failure;
        }
        if (!outcome.failures().isEmpty()) {
            throw toException(outcome.failures().get(0), outcome);
        }
    }

    private void writeTrace(int run, RunTrace trace) {
        Path file = traceFile(settings.trace(), run);
        if (file == null) {
            return;
        }
        try {
            ChromeTrace.write(file, trace);
        } catch (IOException | RuntimeException ex) {
            LOG.warn("run {}: could not write the trace to {}: {}", run, file, ex.toString());
        }
    }

    /**
     * Where run {@code run} of a worker writes its trace: {@code strata.trace.file} for the first run, with
     * {@code -<run>} before the extension for later ones; null when the file setting is empty.
     */
    public static Path traceFile(TraceSettings trace, int run) {
        if (trace.file().isEmpty()) {
            return null;
        }
        Path file = Path.of(trace.file());
        if (run <= 1) {
            return file;
        }
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + run + name.substring(dot) : name + "-" + run;
        return file.resolveSibling(numbered);
    }

    private void logRunEnd(int run, RunOutcome outcome, long wallNanos, Throwable orchFailure) {
        int logged = 0;
        for (FailureReport f : outcome.failures()) {
            if (logged++ == MAX_LOGGED_FAILURES) {
                LOG.error("run {}: {} more task failure(s) not logged", run, outcome.failures().size() - logged + 1);
                break;
            }
            LOG.error("run {}: task slot {}{} ({} on {}) failed: {}: {}", run, f.slot(),
                    f.groupIndex() > 0 ? " member " + f.groupIndex() : "", f.callableName(), f.worker(),
                    f.error().exceptionClass(), f.error().message());
        }
        if (orchFailure != null) {
            LOG.error("run {}: orchestration function failed: {}", run, orchFailure.toString());
        }
        LOG.info("run {} finished in {} ms: {} tasks, {} failed, {} skipped", run,
                String.format(java.util.Locale.ROOT, "%.3f", wallNanos / 1e6), outcome.completedTasks()
                        + outcome.skippedTasks(), outcome.failedTasks(), outcome.skippedTasks());
    }

    private void awaitDrain(Engine e, long deadline, Throwable orchFailure) {
        boolean drained;
        try {
            drained = e.ring.awaitDrained(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            broken = "interrupted while waiting for a run to drain";
            throw new TaskFailedException("interrupted while waiting for the run to drain", -1, "run", ie);
        }
        if (!drained) {
            if (closed) {
                broken = "closed during a run";
            } else if (e.ring.isShutdown()) {
                broken = "an engine actor stopped unexpectedly during the run (see the log)";
            } else {
                broken = "a run did not drain within strata.run.timeout = " + settings.runTimeout() + " ("
                        + e.ring.liveSlots() + " slots still live)";
            }
            throw new TaskFailedException("run failed: " + broken, -1, "run", orchFailure);
        }
    }

    private RunOutcome finishRun(Engine e) {
        try {
            return AskPattern.<SchedulerActor.Command, RunOutcome>ask(e.scheduler, SchedulerActor.FinishRun::new,
                            OUTCOME_TIMEOUT, e.system.scheduler())
                    .toCompletableFuture().get(OUTCOME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            broken = "interrupted while collecting a run's outcome";
            throw new TaskFailedException(broken, -1, "run", ie);
        } catch (Exception ex) {
            broken = "the scheduler did not report a run's outcome within " + OUTCOME_TIMEOUT;
            throw new TaskFailedException(broken, -1, "run", ex);
        }
    }

    private static TaskFailedException toException(FailureReport f, RunOutcome outcome) {
        String others = outcome.failures().size() > 1
                ? " (" + (outcome.failures().size() - 1) + " more failure(s))" : "";
        String skipped = outcome.skippedTasks() > 0 ? "; " + outcome.skippedTasks() + " dependent task(s) skipped"
                : "";
        String member = f.groupIndex() > 0 ? " member " + f.groupIndex() : "";
        return new TaskFailedException("task slot " + f.slot() + member + " (" + f.callableName() + " on "
                + f.worker() + ") failed: " + f.error().exceptionClass() + ": " + f.error().message() + others
                + skipped, f.slot(), f.callableName(), f.error().toException());
    }

    /** The node's shared tensor memory; valid after {@link #init()}. */
    public TensorMemory memory() {
        return requireEngine().memory;
    }

    /** This engine's level label (3 for a host). */
    public int level() {
        return settings.level();
    }

    /** The settings this worker was built with. */
    public WorkerSettings settings() {
        return settings;
    }

    /** What the last finished run did (for summaries and checks); null before the first. */
    public RunSummary lastRun() {
        RunOutcome o = lastOutcome;
        if (o == null) {
            return null;
        }
        return new RunSummary(o.completedTasks(), o.failedTasks(), o.skippedTasks(), o.earlyDispatches(),
                o.trace().size(), o.failures().stream().map(f -> new RunSummary.TaskFailure(f.slot(), f.callableName(), f.worker(),
                        f.groupIndex(), f.error().exceptionClass(), f.error().message())).toList());
    }

    /**
     * Progress of the run in progress, or of the last run between runs ({@link RunProgress#NONE} before the
     * first, or before {@link #init()}). Thread-safe and cheap: any thread may poll it during a run.
     */
    public RunProgress progress() {
        Engine e = engine;
        long start = runStartNanos;
        if (e == null || start == 0) {
            return RunProgress.NONE;
        }
        long end = runEndNanos;
        boolean active = running.get() && end == 0;
        long elapsed = (end == 0 ? System.nanoTime() : end) - start;
        return new RunProgress(e.progress.submitted(), e.progress.running(), e.progress.done(), e.progress.failed(),
                e.progress.skipped(), Duration.ofNanos(Math.max(0, elapsed)), active);
    }

    /** The engine's metrics (as exposed through JMX); valid after {@link #init()}. */
    public EngineMetricsMBean metrics() {
        return requireEngine().metrics;
    }

    /** The JMX name of this engine's metrics bean, {@code dev.strata:type=Engine,name=...}; after init(). */
    public ObjectName metricsName() {
        return requireEngine().metrics.objectName();
    }

    /** The trace of the last finished run when tracing is enabled ({@code strata.trace}), else null. */
    public RunTrace lastRunTrace() {
        return lastTrace;
    }

    /** Stops actors and workers, unmaps and deletes the memory; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (engine != null) {
            engine.ring.shutdown(); // wakes a run waiting for its drain or for heap room
            engine.close(awaitRunEnd());
        }
    }

    /** Waits (bounded) for a run on another thread to return; true when no run is in progress. */
    private boolean awaitRunEnd() {
        if (runThread == Thread.currentThread()) {
            return false; // close() from inside an orch fn: that run cannot end before this returns
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        synchronized (runEnded) {
            while (running.get()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(runEnded, left);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Worker[level=" + settings.level() + " chips=" + settings.chipWorkers() + " subs="
                + settings.subWorkers() + (closed ? " closed" : engine != null ? " running" : " new") + "]";
    }

    private Engine requireEngine() {
        checkNotClosed();
        Engine e = engine;
        if (e == null) {
            throw new IllegalStateException("call init() before using " + this);
        }
        return e;
    }

    private void checkNotInitialised(String what) {
        checkNotClosed();
        if (engine != null) {
            throw new IllegalStateException(what + " must be called before init()");
        }
    }

    private void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException("this worker is closed");
        }
    }

    /** Builds a {@link Worker}; each setter validates its value at once. */
    public static final class Builder {
        private WorkerSettings settings = WorkerSettings.defaults();

        private Builder() {
        }

        /** Level label of the engine, default 3. */
        public Builder level(int level) {
            settings = settings.withLevel(level);
            return this;
        }

        /** Number of simulated chip workers, default 0. */
        public Builder numChipWorkers(int n) {
            settings = settings.withChipWorkers(n);
            return this;
        }

        /** Number of sub workers, default 0. */
        public Builder numSubWorkers(int n) {
            settings = settings.withSubWorkers(n);
            return this;
        }

        /** THREAD (default) or PROCESS chip workers. */
        public Builder mode(WorkerMode mode) {
            settings = settings.withMode(mode.chipMode());
            return this;
        }

        /** Bytes of the heap ring, default 1 GiB. */
        public Builder heapRingSize(long bytes) {
            settings = settings.withHeapRingSize(bytes);
            return this;
        }

        /** How long a submit waits for heap room, default 10 s. */
        public Builder allocTimeout(Duration d) {
            settings = settings.withAllocTimeout(d);
            return this;
        }

        /** Dispatches one worker may hold (running plus queued), default 8. */
        public Builder queueDepth(int n) {
            settings = settings.withQueueDepth(n);
            return this;
        }

        /** Upper bound on one run, default 1 h. */
        public Builder runTimeout(Duration d) {
            settings = settings.withRunTimeout(d);
            return this;
        }

        /**
         * How PROCESS-mode chip children start and are watched (java, JVM options, start and task timeouts,
         * heartbeat, mailbox size); default {@code strata.worker.process} of {@code reference.conf}.
         */
        public Builder process(ProcessSettings p) {
            settings = settings.withProcess(Objects.requireNonNull(p, "process settings must not be null"));
            return this;
        }

        /**
         * Traces every task and writes each run's Chrome-trace JSON to {@code file} (run n &gt; 1 of this
         * worker adds {@code -n} before the extension); {@code null} turns tracing off.
         */
        public Builder trace(Path file) {
            settings = settings.withTrace(file == null ? new TraceSettings(false, settings.trace().file())
                    : TraceSettings.to(file.toString()));
            return this;
        }

        /** Tracing as given, e.g. {@code TraceSettings.to("")} to keep each run's trace in memory only. */
        public Builder trace(TraceSettings t) {
            settings = settings.withTrace(Objects.requireNonNull(t, "trace settings must not be null"));
            return this;
        }

        public Worker build() {
            return new Worker(settings, ConfigFactory.load());
        }
    }
}
