package dev.strata.scheduler;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.cluster.ChipEntities;
import dev.strata.cluster.MemberConfig;
import dev.strata.config.ChipMode;
import dev.strata.config.ClusterSettings;
import dev.strata.config.ProcessSettings;
import dev.strata.config.TraceSettings;
import dev.strata.config.WorkerSettings;
import dev.strata.dispatch.FaultPlan;
import dev.strata.metrics.EngineMetricsMBean;
import dev.strata.process.ClassByName;
import dev.strata.process.KernelClasses;
import dev.strata.process.ProcessLimits;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.SubCallable;
import dev.strata.protocol.TensorMemory;
import dev.strata.trace.RunTrace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.management.ObjectName;

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
 *
 * <p>This class is the API and the life cycle; the runs themselves are {@link RunLoop}'s.
 */
public final class Worker implements AutoCloseable {
    /** How long close() waits for a run on another thread to end before it closes without unmapping memory. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final WorkerSettings settings;
    /** strata.cluster: whether init() makes the engine a cluster member (role head) and waits for worker nodes. */
    private final ClusterSettings cluster;
    private final Config config;
    private final FaultPlan faults; // null unless a test injects faults
    private final Callables callables = new Callables();
    /**
     * The one guard of this worker's life: held to register, to init, for the whole of a run (so runs never
     * overlap) and to close (which so waits, bounded, for a run on another thread to end). Reentrant only so
     * that close() from inside an orch fn knows it is on its run's thread; run() refuses to nest.
     */
    private final ReentrantLock lock = new ReentrantLock();
    // Written under the lock; volatile so that memory(), progress(), metrics() and the checks read them without it.
    private volatile RunLoop runs; // null before init()
    private volatile boolean closed;

    private Worker(WorkerSettings settings, Config config) {
        this(settings, config, null);
    }

    private Worker(WorkerSettings settings, Config config, FaultPlan faults) {
        this.settings = settings;
        this.faults = faults;
        this.cluster = ClusterSettings.fromConfig(config);
        if (cluster.enabled()) {
            MemberConfig.checkTransport(config); // a bad TLS store fails here, naming the key, not at init()
        }
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
    public int register(SubCallable fn) {
        Objects.requireNonNull(fn, "sub callable must not be null");
        lockBeforeInit("register");
        try {
            return callables.addSub(fn);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers a chip kernel under a unique name and returns its id; only before {@link #init()}. In PROCESS
     * mode each chip's child JVM makes its own instance of the kernel's class, so the class must be public,
     * top-level or static nested, with a public no-arg constructor: a lambda, anonymous, local, inner or
     * non-public class throws {@link IllegalArgumentException} saying why. The same holds in cluster mode
     * ({@code strata.cluster.enabled}), where the worker nodes make the kernel by class name.
     */
    public long registerChipCallable(String name, ChipKernel kernel) {
        Objects.requireNonNull(kernel, "chip kernel must not be null");
        lockBeforeInit("registerChipCallable");
        try {
            callables.requireNewName(name);
            if (cluster.enabled()) {
                ChipEntities.requireLoadable(name, kernel); // a worker node makes it by class name
            } else if (settings.mode() == ChipMode.PROCESS) {
                KernelClasses.requireLoadable(name, kernel);
            }
            return callables.addChip(name, kernel);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers an orch fn that the engines of the level below run (API.md, "Level 4") and returns its id, the
     * callable id of {@code orch.submitNextLevel}; only before {@link #init()}. Needs level 4 or above
     * ({@code strata.worker.level}) and cluster mode ({@code strata.cluster.enabled}): the next-level workers are
     * level-3 engines hosted by the worker nodes, which make the orch fn by class name, so its class must be public,
     * top-level or static nested, with a public no-arg constructor, and on the nodes' class path.
     *
     * @throws IllegalStateException    below level 4 or without cluster mode, saying which setting to change
     * @throws IllegalArgumentException for a blank or taken name, or an orch fn a node cannot make (a lambda, say)
     */
    public long registerOrchFn(String name, OrchFn fn) {
        Objects.requireNonNull(fn, "orch fn must not be null");
        lockBeforeInit("registerOrchFn");
        try {
            if (!cluster.enginesBelow(settings.level())) {
                throw new IllegalStateException("registerOrchFn('" + name + "') needs a level-4 worker in cluster mode,"
                        + " whose next-level workers are engines on the worker nodes; this one has"
                        + " strata.worker.level = " + settings.level() + " and strata.cluster.enabled = "
                        + cluster.enabled() + " (docs/cluster.md, \"Level 4\")");
            }
            if (settings.level() > ClusterSettings.FIRST_ENGINE_LEVEL) {
                throw new IllegalStateException("registerOrchFn('" + name + "'): a level-" + settings.level()
                        + " worker would drive level-" + (settings.level() - 1) + " engines, and worker nodes host"
                        + " level-3 engines only; use strata.worker.level = 4 (docs/cluster.md, \"Level 5 and"
                        + " above\")");
            }
            requireLoadable(name, fn);
            return callables.addOrchFn(name, fn);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Checks that a worker node can make orch fn {@code fn}'s class by name.
     *
     * @throws IllegalArgumentException naming the orch fn, its class and why (a lambda, say) it cannot run there
     */
    private static void requireLoadable(String name, OrchFn fn) {
        ClassByName.whyNotConstructible(fn.getClass()).ifPresent(why -> {
            throw new IllegalArgumentException("orch fn '" + name + "' (" + fn.getClass().getName() + ") cannot run"
                    + " on a worker node's engine: " + why + ". A worker node creates its own instance by class name,"
                    + " so register a public top-level or public static nested class with a public no-arg constructor,"
                    + " on the nodes' class path too");
        });
    }

    /**
     * Maps the tensor memory and starts the ring, scheduler and worker actors; once. In PROCESS mode it also
     * starts one child JVM per chip worker and waits for each to be ready. With {@code strata.cluster.enabled}
     * the engine's actor system joins the Pekko cluster with role {@code head} and this waits until
     * {@code strata.cluster.min-worker-nodes} worker nodes are up, else throws {@link dev.strata.cluster.ClusterJoinException} after
     * {@code strata.cluster.join-timeout} saying how many it saw and which seed nodes it tried (docs/cluster.md).
     */
    public void init() {
        lock.lock();
        try {
            checkNotClosed();
            if (runs != null) {
                throw new IllegalStateException("init() called twice on " + this);
            }
            // A PROCESS-mode chip task's args travel in its child's mailbox: the orchestrator bounds them at submit.
            int chipArgsLimit = settings.mode() == ChipMode.PROCESS && settings.chipWorkers() > 0
                    ? ProcessLimits.chipArgsBytes(settings.process(), settings.checkTags())
                    : Catalog.NO_LIMIT;
            Catalog catalog = callables.catalog(cluster.enginesBelow(settings.level()), settings.subWorkers(),
                    settings.chipWorkers(), chipArgsLimit);
            runs = new RunLoop(settings, Engine.start(settings, cluster, config, callables, faults), catalog);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code task}'s orchestration function in a fresh outermost scope and returns once every task it
     * submitted has completed and been consumed.
     *
     * @throws TaskFailedException   after the drain, if a task or the orch fn failed (first failure as cause)
     * @throws IllegalStateException before {@link #init()}, after {@link #close()}, or while another run is in
     *                               progress on this worker (from any thread, including the orch fn's own)
     */
    public void run(Task task) {
        Objects.requireNonNull(task, "task must not be null");
        RunLoop r = requireStarted();
        if (lock.isHeldByCurrentThread() || !lock.tryLock()) {
            throw new IllegalStateException("a run is already in progress on this worker");
        }
        try {
            checkNotClosed();
            r.run(task);
        } finally {
            lock.unlock();
        }
    }

    /** The node's shared tensor memory; valid after {@link #init()}. */
    public TensorMemory memory() {
        return engine().memory;
    }

    /** This engine's level label (3 for a host). */
    public int level() {
        return settings.level();
    }

    /** The settings this worker was built with. */
    public WorkerSettings settings() {
        return settings;
    }

    /** What the last finished run did (for summaries and checks); null before the first. Any thread may ask. */
    public RunSummary lastRun() {
        RunLoop r = runs;
        return r == null ? null : r.lastRun();
    }

    /**
     * Progress of the run in progress, or of the last run between runs ({@link RunProgress#NONE} before the
     * first, or before {@link #init()}). Thread-safe and cheap: any thread may poll it during a run.
     */
    public RunProgress progress() {
        RunLoop r = runs;
        return r == null ? RunProgress.NONE : r.progress();
    }

    /** The engine's metrics (as exposed through JMX); valid after {@link #init()}. */
    public EngineMetricsMBean metrics() {
        return engine().metrics;
    }

    /** The JMX name of this engine's metrics bean, {@code dev.strata:type=Engine,name=...}; after init(). */
    public ObjectName metricsName() {
        return engine().metrics.objectName();
    }

    /** The trace of the last finished run when tracing is enabled ({@code strata.trace}), else null. */
    public RunTrace lastRunTrace() {
        RunLoop r = runs;
        return r == null ? null : r.lastRunTrace();
    }

    /**
     * Stops actors and workers, unmaps and deletes the memory; idempotent, and it returns within seconds. Like
     * {@code ExecutorService.shutdownNow}, it interrupts user code still running on the workers (a task that
     * ignores the interrupt is waited for 5 s, then left to finish on its own daemon thread) and starts no more.
     * A run in progress on another thread fails ("closed during a run"); close waits up to 10 s for it to
     * return. The memory file is deleted in every case; the mapping is released at once unless an orch fn or a
     * task may still use it (the run did not return, close was called from inside an orch fn, or a task ignored
     * the interrupt), then the GC releases it. Afterwards no thread of this worker keeps the JVM alive.
     */
    @Override
    public void close() {
        RunLoop started = runs;
        if (started != null) {
            started.stop(); // wakes a run waiting for its drain or for heap room
        }
        // From inside an orch fn this thread holds the lock: that run cannot end before close returns.
        boolean locked = !lock.isHeldByCurrentThread() && tryLock(CLOSE_WAIT);
        try {
            if (closed) {
                return;
            }
            closed = true;
            RunLoop r = runs;
            if (r != null) {
                r.close(locked);
            }
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }

    private boolean tryLock(Duration wait) {
        try {
            return lock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        RunLoop r = runs;
        return "Worker[level=" + settings.level() + " chips=" + settings.chipWorkers() + " subs="
                + settings.subWorkers() + (closed ? " closed" : r == null ? " new"
                : r.engine().failure() != null ? " broken" : " running") + "]";
    }

    /** The started engine; tests also reach behind the API through it (e.g. to fail an engine actor). */
    Engine engine() {
        return requireStarted().engine();
    }

    private RunLoop requireStarted() {
        checkNotClosed();
        RunLoop r = runs;
        if (r == null) {
            throw new IllegalStateException("call init() before using " + this);
        }
        return r;
    }

    /**
     * Takes the lock for a registration. After init() it throws at once, without waiting for a run that may
     * hold the lock for long.
     */
    private void lockBeforeInit(String what) {
        checkNotInitialised(what);
        lock.lock();
        try {
            checkNotInitialised(what);
        } catch (RuntimeException e) {
            lock.unlock();
            throw e;
        }
    }

    private void checkNotInitialised(String what) {
        checkNotClosed();
        if (runs != null) {
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
        private Config config; // null: ConfigFactory.load() at build()
        private FaultPlan faults;

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

        /**
         * Tasks live at once (submitted, not yet consumed) before a submit waits, default 262144
         * ({@code strata.worker.task-window}).
         */
        public Builder taskWindow(int n) {
            settings = settings.withTaskWindow(n);
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

        /** Sections of a config that the builder's setters own (read into WorkerSettings, not from config). */
        private static final List<String> SETTER_SECTIONS = List.of("strata.worker", "strata.run", "strata.trace",
                "strata.check");

        /**
         * The configuration behind everything the setters do not cover: the engine's actor system
         * ({@code pekko.*}) and cluster mode ({@code strata.cluster}); default {@code ConfigFactory.load()}.
         *
         * @throws IllegalArgumentException if {@code c} sets a section the setters own ({@code strata.worker},
         *                                  {@code strata.run}, {@code strata.trace}, {@code strata.check}): it would
         *                                  be ignored; use the setters, or {@link Worker#fromConfig} for a whole file
         */
        public Builder config(Config c) {
            Objects.requireNonNull(c, "config must not be null");
            for (String owned : SETTER_SECTIONS) {
                if (c.hasPath(owned)) {
                    throw new IllegalArgumentException("Worker.Builder.config: " + owned + " is set by the builder's"
                            + " setters, not by this Config (it takes pekko.* and strata.cluster); use the setters,"
                            + " or Worker.fromConfig(config) to read every section from a file");
                }
            }
            this.config = c.withFallback(ConfigFactory.load()).resolve();
            return this;
        }

        /**
         * Faults to inject (the test kit's): the scheduler asks {@code plan} about every dispatch and the worker
         * applies what it answers; each fault is recorded in the run's trace. Default none ({@code null}).
         */
        public Builder faults(FaultPlan plan) {
            this.faults = plan;
            return this;
        }

        /**
         * The tag checker ({@code strata.check.tags}, default off): every INPUT and NO_DEP tensor of a task is
         * checksummed before and after its callable, where the callable runs; a written INPUT fails the task
         * ({@link TaskFailedException}), a written NO_DEP becomes a warning in {@link RunSummary#warnings()}
         * (docs/checks.md).
         */
        public Builder checkTags(boolean on) {
            settings = settings.withCheckTags(on);
            return this;
        }

        public Worker build() {
            return new Worker(settings, config == null ? ConfigFactory.load() : config, faults);
        }
    }
}
