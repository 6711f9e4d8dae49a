package dev.strata.stress;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.scheduler.RunSummary;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of random DAGs on one shared Worker, each checked against the {@link SequentialModel}: every
 * task member runs exactly once, starts only after every member of each of its producers ended, and
 * {@code run} returns only after all of them; with throwing tasks, exactly the model's dependents of a
 * failure are skipped, everything else runs, and the next run works.
 *
 * <p>Each DAG is fixed by its seed ({@link #BASE_SEED} and its index); a failure names the seed. Replay one
 * DAG with {@code -Dstrata.stress.seed=<seed>}; change the count with {@code -Dstrata.stress.dags=<n>}.
 *
 * <p>Sized by a deadline, not by a count the machine may not manage: each test runs its default number of
 * DAGs or as many as fit in {@link #BUDGET} (at least {@link #MIN_DAGS}), whichever comes first, so a loaded
 * 2-core machine runs fewer DAGs instead of hitting the timeout: the budget plus one DAG at its {@link
 * #RUN_LIMIT} is 60 s, well inside the 150 s. The {@link #MIN_DAGS} floor (a couple of seconds of work
 * here) only matters on a machine many times slower. An explicit {@code -Dstrata.stress.dags} runs exactly
 * that many (raise the timeout for a soak).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(150)
class RandomDagStressTest {
    static final long BASE_SEED = 0x5EED_2026_0002_0001L;
    /** Random DAGs without failures per CI run. */
    static final int RANDOM_DAGS = 3_000;
    /** Random DAGs with throwing tasks per CI run (each followed by the next one on the same Worker). */
    static final int FAILING_DAGS = 2_000;

    static final int SUB_WORKERS = 3;
    static final int CHIP_WORKERS = 2;
    static final int ARENA_TENSORS = 8;
    private static final Duration RUN_LIMIT = Duration.ofSeconds(20);
    /** Wall time after which a test starts no new DAG (default count only); see the class doc. */
    static final Duration BUDGET = Duration.ofSeconds(40);
    /** DAGs each test runs even past {@link #BUDGET}: a few seconds of work on the slowest machine seen. */
    static final int MIN_DAGS = 100;
    private static final RandomDag.Shape CLEAN = new RandomDag.Shape(60, ARENA_TENSORS, SUB_WORKERS, CHIP_WORKERS,
            4, 0);
    private static final RandomDag.Shape FAILING = new RandomDag.Shape(60, ARENA_TENSORS, SUB_WORKERS,
            CHIP_WORKERS, 4, 0.06);

    private Worker w;
    private final Probe probe = new Probe();
    private final BoundedRunner runner = new BoundedRunner();
    private final AtomicLong runIds = new AtomicLong();
    private ContinuousTensor[] arena;
    private int subProbe;
    private long chipProbe;

    @BeforeAll
    void start() {
        w = Worker.builder().numSubWorkers(SUB_WORKERS).numChipWorkers(CHIP_WORKERS).heapRingSize(16 << 20)
                .allocTimeout(Duration.ofSeconds(5)).runTimeout(Duration.ofSeconds(60)).build();
        subProbe = w.register(probe::call);
        chipProbe = w.registerChipCallable("probe", probe::call);
        w.init();
        arena = new ContinuousTensor[ARENA_TENSORS];
        for (int i = 0; i < ARENA_TENSORS; i++) {
            arena[i] = w.memory().allocate(DataType.FLOAT32, 16);
        }
    }

    @AfterAll
    void stop() {
        runner.close();
        if (w != null) {
            w.close();
        }
    }

    @Test
    void everyTaskRunsOnceAfterAllItsProducers() {
        long t0 = System.nanoTime();
        long tasks = 0;
        int dags = 0;
        long[] seeds = seeds(RANDOM_DAGS, 0);
        for (long seed : seeds) {
            if (overBudget(t0, dags, seeds.length)) {
                break;
            }
            tasks += runAndCheck(RandomDag.generate(seed, CLEAN));
            dags++;
        }
        report("clean", t0, dags, tasks);
    }

    @Test
    void throwingTasksSkipExactlyTheirDependentsAndTheNextRunWorks() {
        long t0 = System.nanoTime();
        long tasks = 0;
        int dags = 0;
        long[] seeds = seeds(FAILING_DAGS, 1);
        for (long seed : seeds) {
            if (overBudget(t0, dags, seeds.length)) {
                break;
            }
            tasks += runAndCheck(RandomDag.generate(seed, FAILING));
            dags++;
        }
        // The Worker is still usable after all those failures.
        tasks += runAndCheck(RandomDag.generate(BASE_SEED, CLEAN));
        report("failing", t0, dags, tasks);
    }

    /**
     * True when a test should start no more DAGs: past {@link #BUDGET} with at least {@link #MIN_DAGS} done,
     * unless the count was given explicitly (then every one runs).
     */
    private static boolean overBudget(long t0, int done, int planned) {
        boolean explicit = System.getProperty("strata.stress.dags") != null
                || System.getProperty("strata.stress.seed") != null;
        return !explicit && done >= Math.min(MIN_DAGS, planned) && System.nanoTime() - t0 > BUDGET.toNanos();
    }

    /** Seeds of this test: one per DAG, or the one given with -Dstrata.stress.seed. */
    private static long[] seeds(int defaultCount, int stream) {
        String one = System.getProperty("strata.stress.seed");
        if (one != null) {
            return new long[] {Long.decode(one)};
        }
        int n = Integer.getInteger("strata.stress.dags", defaultCount);
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            seeds[i] = BASE_SEED + (stream * 1_000_000L + i) * 0x9E37_79B9_7F4A_7C15L;
        }
        return seeds;
    }

    /** Runs one DAG and checks it against the model; returns the number of tasks it had. */
    private int runAndCheck(RandomDag dag) {
        long runId = runIds.incrementAndGet();
        RandomDag.Replay replay = new RandomDag.Replay(dag.nodes);
        Probe.Run log = probe.begin(runId, dag.nodes);
        String seedText = "seed 0x" + Long.toHexString(dag.seed) + " (replay with -Dstrata.stress.seed=0x"
                + Long.toHexString(dag.seed) + ")";
        BoundedRunner.Result result;
        try {
            result = runner.run(w, Task.of(dag.orchFn(runId, arena, subProbe, chipProbe, replay)), probe.clock,
                    RUN_LIMIT, () -> seedText + ", " + dag.nodes + " nodes, " + dag.steps.size() + " steps");
        } finally {
            probe.end();
        }
        SequentialModel model;
        try {
            model = new SequentialModel(replay.ops);
        } catch (RuntimeException e) {
            throw new AssertionError(seedText + ": the orch fn's operations do not replay: " + e, e);
        }
        List<String> problems = check(dag, model, replay, log, result);
        if (!problems.isEmpty()) {
            throw new AssertionError(seedText + ": " + problems.size() + " problem(s):\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(40, problems.size())))
                    + "\nDAG (node: tags @address, after producers):\n" + model.describe()
                    + "slots: " + java.util.Arrays.toString(replay.slotOfNode) + "\nthrowing (node=member): "
                    + throwers(replay), result.failure());
        }
        return model.tasks().length;
    }

    private List<String> check(RandomDag dag, SequentialModel model, RandomDag.Replay replay, Probe.Run log,
                               BoundedRunner.Result result) {
        List<String> problems = new ArrayList<>(log.problems());
        String stray;
        while ((stray = probe.strays.poll()) != null) {
            problems.add("stray task: " + stray);
        }
        if (replay.ops.size() != dag.steps.size()) {
            problems.add("the orch fn stopped early: " + replay.ops.size() + " ops replayed");
        }
        BitSet throwing = new BitSet();
        for (int n : model.tasks()) {
            if (replay.throwingMember[n] >= 0) {
                throwing.set(n);
            }
        }
        BitSet runs = model.runs(throwing);
        BitSet failing = model.failing(throwing);

        int expectedRun = 0;
        int expectedSkipped = 0;
        for (int n : model.tasks()) {
            boolean shouldRun = runs.get(n);
            if (shouldRun) {
                expectedRun++;
            } else {
                expectedSkipped++;
            }
            for (int m = 0; m < model.width(n); m++) {
                int times = log.runs(n, m);
                if (times != (shouldRun ? 1 : 0)) {
                    problems.add("node " + n + " member " + m + " (slot " + replay.slotOfNode[n] + ") ran " + times
                            + " time(s), expected " + (shouldRun ? "once" : "never: it depends on a failed task"));
                }
                if (times > 0 && log.end(n, m) >= result.returnedAt()) {
                    problems.add("node " + n + " member " + m + " ended after run returned");
                }
            }
            if (!shouldRun) {
                continue;
            }
            long firstStart = Long.MAX_VALUE;
            for (int m = 0; m < model.width(n); m++) {
                firstStart = Math.min(firstStart, log.start(n, m) == 0 ? Long.MAX_VALUE : log.start(n, m));
            }
            for (int p : model.producers(n)) {
                if (model.kind(p) != SequentialModel.Kind.TASK) {
                    continue; // an alloc is complete from the start
                }
                for (int m = 0; m < model.width(p); m++) {
                    long end = log.end(p, m);
                    if (end == 0 || end >= firstStart) {
                        problems.add("node " + n + " started at tick " + firstStart + " before its producer node "
                                + p + " member " + m + " ended (" + (end == 0 ? "never" : "tick " + end) + ")");
                    }
                }
            }
        }

        Throwable failure = result.failure();
        RunSummary outcome = w.lastRun();
        if (failing.isEmpty()) {
            if (failure != null) {
                problems.add("run threw although no task threw: " + failure);
            }
        } else if (!(failure instanceof TaskFailedException tfe)) {
            problems.add("run should have thrown TaskFailedException (failing nodes " + failing + "), got "
                    + failure);
        } else {
            Set<Integer> failingSlots = new TreeSet<>();
            failing.stream().forEach(n -> failingSlots.add(replay.slotOfNode[n]));
            if (!failingSlots.contains(tfe.taskSlot())) {
                problems.add("TaskFailedException names slot " + tfe.taskSlot() + ", not a failing slot "
                        + failingSlots + ": " + tfe.getMessage());
            } else {
                int n = nodeOfSlot(replay, tfe.taskSlot());
                String name = replay.chipNode[n] ? "probe" : "sub#" + subProbe;
                if (!name.equals(tfe.callableName())) {
                    problems.add("TaskFailedException names callable " + tfe.callableName() + ", expected " + name);
                }
            }
            if (outcome != null) {
                Set<Integer> reported = new TreeSet<>();
                for (RunSummary.TaskFailure f : outcome.failures()) {
                    reported.add(f.taskSlot());
                }
                if (!reported.equals(failingSlots) || outcome.failures().size() != failing.cardinality()) {
                    problems.add("failures reported " + outcome.failures() + ", expected one per slot "
                            + failingSlots);
                }
            }
        }
        if (outcome == null) {
            problems.add("no run outcome");
        } else if (outcome.completedTasks() != expectedRun || outcome.skippedTasks() != expectedSkipped) {
            problems.add("outcome says " + outcome.completedTasks() + " completed, " + outcome.skippedTasks()
                    + " skipped; the model says " + expectedRun + " and " + expectedSkipped);
        }
        return problems;
    }

    private static String throwers(RandomDag.Replay replay) {
        StringBuilder b = new StringBuilder();
        for (int n = 0; n < replay.throwingMember.length; n++) {
            if (replay.throwingMember[n] >= 0) {
                b.append(n).append('=').append(replay.throwingMember[n]).append(' ');
            }
        }
        return b.length() == 0 ? "none" : b.toString().trim();
    }

    private static int nodeOfSlot(RandomDag.Replay replay, int slot) {
        for (int n = 0; n < replay.slotOfNode.length; n++) {
            if (replay.slotOfNode[n] == slot) {
                return n;
            }
        }
        return -1;
    }

    private static void report(String what, long t0, int dags, long tasks) {
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("RandomDagStressTest[%s]: %d DAGs, %d tasks in %.1f s%n", what, dags, tasks, s);
        assertTrue(dags > 0 && tasks > 0, "no DAG ran");
    }
}
