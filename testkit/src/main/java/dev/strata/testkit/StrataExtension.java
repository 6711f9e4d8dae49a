package dev.strata.testkit;

import dev.strata.config.TraceSettings;
import dev.strata.config.WorkerSettings;
import dev.strata.scheduler.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Strata engines for a JUnit 5 test, registered with {@code @RegisterExtension}:
 *
 * <pre>{@code
 * @RegisterExtension
 * final StrataExtension strata = StrataExtension.local();   // or StrataExtension.cluster(2)
 *
 * @Test
 * void myOrchFnSurvivesAFailedKernel() {
 *     Worker w = strata.build(strata.builder().numChipWorkers(2));
 *     long k = w.registerChipCallable("k", new MyKernel());
 *     w.init();
 *     strata.faults().failNext("k");
 *     assertThrows(TaskFailedException.class, () -> w.run(Task.of(new MyOrchFn(k))));
 *     WhatRan.lastRunOf(w).skipped("k-consumer", "injected fault");
 * }
 * }</pre>
 *
 * <p>Before each test it notes Strata's threads, child processes and memory files (and, in the cluster variant,
 * starts the worker nodes); after it, it closes every worker built through {@link #build} and the nodes, then
 * fails the test if a thread, child process or memory file is left that was not there before (see
 * {@link LeakCheck}). Register it on an instance field, so each test has its own.
 */
public final class StrataExtension implements BeforeEachCallback, AfterEachCallback {
    /** Heap ring of a test engine: room for a test's tensors, small enough for many engines on one machine. */
    static final long HEAP_RING_BYTES = 16L << 20;
    /** How long threads and processes that are ending get after everything was closed, before they are reported. */
    static final Duration LEAK_GRACE = Duration.ofSeconds(15);

    private final int workerNodes; // 0: local engines
    private final List<Worker> workers = new ArrayList<>();
    private Duration leakGrace = LEAK_GRACE;
    private LeakCheck before;
    private InJvmCluster cluster;
    private Faults faults;

    private StrataExtension(int workerNodes) {
        this.workerNodes = workerNodes;
    }

    /** Engines in this JVM: THREAD or PROCESS chips and sub workers, as the test sets them. */
    public static StrataExtension local() {
        return new StrataExtension(0);
    }

    /**
     * A head and {@code workerNodes} worker nodes, each its own actor system in this JVM on 127.0.0.1 with free
     * ports, every message serialized, failure detection shortened so that a crashed node is removed within
     * seconds. The builder's engine is the head: its {@code init()} waits until every node has joined.
     */
    public static StrataExtension cluster(int workerNodes) {
        if (workerNodes < 1) {
            throw new IllegalArgumentException("a cluster needs at least one worker node, got " + workerNodes);
        }
        return new StrataExtension(workerNodes);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        workers.clear();
        before = LeakCheck.now();
        cluster = workerNodes > 0 ? InJvmCluster.start(workerNodes) : null;
        faults = new Faults(cluster);
    }

    /** A shorter grace, for the kit's own test of a leak, which would otherwise wait the whole 15 s. */
    StrataExtension leakGrace(Duration grace) {
        this.leakGrace = grace;
        return this;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        RuntimeException closing = null;
        for (int i = workers.size() - 1; i >= 0; i--) {
            try {
                workers.get(i).close();
            } catch (RuntimeException e) {
                closing = first(closing, e);
            }
        }
        workers.clear();
        if (cluster != null) {
            try {
                cluster.close();
            } catch (RuntimeException e) {
                closing = first(closing, e);
            }
            cluster = null;
        }
        faults = null;
        if (closing != null) {
            throw closing;
        }
        List<String> left = before.leftBehind(leakGrace);
        if (!left.isEmpty()) {
            throw new AssertionError("the test left behind " + left.size() + " thing(s) Strata started: "
                    + String.join("; ", left) + " (close every Worker, or build it with StrataExtension.build)");
        }
    }

    /**
     * A builder pre-set for tests: a 16 MiB heap ring, the smallest task window, every run traced in memory only
     * ({@link Worker#lastRunTrace()}, no file), the tag checker on ({@code strata.check.tags}: a kernel writing a
     * tensor it declared INPUT fails its task; {@link WhatRan#tagsRespected()}), this test's {@link #faults()}, and
     * in the cluster variant the head's cluster settings. Change what the test needs, then {@link #build} it.
     */
    public Worker.Builder builder() {
        requireInTest();
        Worker.Builder b = Worker.builder()
                .heapRingSize(HEAP_RING_BYTES)
                .taskWindow(WorkerSettings.MIN_TASK_WINDOW)
                .trace(TraceSettings.to(""))
                .checkTags(true)
                .faults(faults);
        return cluster == null ? b : b.config(cluster.headConfig());
    }

    /** Builds {@code builder}'s worker and closes it after the test (then checks what was left behind). */
    public Worker build(Worker.Builder builder) {
        requireInTest();
        Worker w = Objects.requireNonNull(builder, "builder").build();
        workers.add(w);
        return w;
    }

    /** This test's faults: what the workers built from {@link #builder()} inject. */
    public Faults faults() {
        requireInTest();
        return faults;
    }

    /**
     * The in-JVM cluster of this test (its nodes, to crash one or see where tasks ran).
     *
     * @throws IllegalStateException for {@link #local()} engines
     */
    public InJvmCluster cluster() {
        requireInTest();
        if (cluster == null) {
            throw new IllegalStateException("no in-JVM cluster: register StrataExtension.cluster(n) for one");
        }
        return cluster;
    }

    private void requireInTest() {
        if (faults == null) {
            throw new IllegalStateException("the Strata extension is set up before each test: use it inside a test"
                    + " (register it with @RegisterExtension)");
        }
    }

    private static RuntimeException first(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
