package dev.strata.scheduler;

import dev.strata.config.WorkerSettings;
import dev.strata.dispatch.SchedulerActor.RunOutcome;
import dev.strata.dispatch.SchedulerActor;
import dev.strata.trace.ChromeTrace;
import dev.strata.trace.RunTrace;
import dev.strata.trace.TraceMark;
import dev.strata.worker.WorkerKind;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs of one started engine: each {@link #run} calls the orch fn with a fresh orchestrator, waits for the
 * drain, collects the scheduler's outcome and turns it into metrics, a trace file, log lines and the user's
 * result. Runs never overlap: the {@link Worker}'s lock is held around every call of {@link #run}, so fields
 * only runs touch are plain. What other threads read ({@link #lastRun()}, {@link #lastRunTrace()},
 * {@link #progress()}) is published as immutable values through volatile fields.
 */
final class RunLoop {
    // The facade's logger: users (and the node's logback.xml) configure run logging under Worker's name.
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final Duration OUTCOME_TIMEOUT = Duration.ofSeconds(30);

    private final WorkerSettings settings;
    private final Engine engine;
    private final Catalog catalog;
    private final String engineName; // "level-3 engine (2 chip, 0 sub workers)", for the run's log lines
    private int runs; // runs started, for trace file names and log lines
    private String broken; // why no run can start any more, once one could not drain
    private volatile boolean stopping; // close() woke the run: its drain fails as "closed during a run"
    private volatile RunSummary lastRun;
    private volatile RunTrace lastTrace;
    private volatile RunClock clock; // null before the first run

    /** When the current or last run started and, once it has, ended ({@code System.nanoTime()}). */
    private record RunClock(long startNanos, long endNanos, boolean active) {
    }

    RunLoop(WorkerSettings settings, Engine engine, Catalog catalog) {
        this.settings = settings;
        this.engine = engine;
        this.catalog = catalog;
        this.engineName = "level-" + settings.level() + " engine (" + settings.chipWorkers() + " "
                + (engine.enginesBelow ? "engine" : "chip") + ", " + settings.subWorkers() + " sub workers)";
    }

    Engine engine() {
        return engine;
    }

    /**
     * Runs {@code task} to its drain. Called with the worker's lock held.
     *
     * @throws TaskFailedException   after the drain if a task or the orch fn failed, or if the run did not drain
     * @throws IllegalStateException if an earlier run left the engine unable to run
     */
    void run(Task task) {
        if (broken == null) {
            broken = engine.failure(); // the engine may have stopped by itself between runs
        }
        if (broken != null) {
            throw new IllegalStateException("this worker cannot run any more: " + broken + "; close it");
        }
        long start = System.nanoTime();
        clock = new RunClock(start, 0, true);
        try {
            runOnce(++runs, task, start);
        } finally {
            RunClock c = clock;
            if (c.active()) {
                clock = new RunClock(c.startNanos(), System.nanoTime(), false);
            }
        }
    }

    private void runOnce(int run, Task task, long start) {
        boolean tracing = settings.trace().enabled();
        engine.progress.reset(); // the scheduler is idle between runs: it writes only while a run's messages arrive
        engine.nodeTasks.reset(); // likewise the remote chips: no task runs between runs
        long waitsBefore = engine.ring.backPressureWaits();
        // DEBUG: the line "finished" says it all, and an INFO line here cost 0.3-0.4 ms before the run's first
        // task (code that runs once per run is interpreted, not compiled).
        LOG.debug("run {} started on {}{}", run, engineName, tracing ? ", tracing" : "");
        long deadline = start + settings.runTimeout().toNanos();
        DagOrchestrator orch = new DagOrchestrator(catalog, engine.ring, settings.allocTimeout(),
                engine::toScheduler, tracing);
        Throwable orchFailure = null;
        try {
            task.orch().run(orch, task.args().view(), task.config());
        } catch (Throwable t) {
            orchFailure = t;
        } finally {
            orch.finish();
        }
        try {
            awaitDrain(deadline, orchFailure);
        } catch (TaskFailedException notDrained) {
            LOG.error("run {} failed: {}", run, notDrained.getMessage());
            throw notDrained;
        }
        RunOutcome outcome = finishRun();
        long end = System.nanoTime();
        clock = new RunClock(start, end, false);
        // Read before the reset, which clears the high-water mark.
        long highWater = engine.ring.highWaterBytes();
        long waits = engine.ring.backPressureWaits() - waitsBefore;
        engine.ring.reset();
        lastRun = RunOutcomes.summary(outcome, RunOutcomes.nodeWork(engine.nodeTasks));
        engine.metrics.runFinished(outcome.completedTasks() - outcome.failedTasks(), outcome.failedTasks(),
                outcome.skippedTasks(), outcome.earlyDispatches(), waits, highWater, end - start);
        lastRun.nodes().values().forEach(n -> engine.metrics.nodeWorkFinished(n.retries(), n.bytesToNode(),
                n.bytesFromNode()));
        if (tracing) {
            RunTrace trace = new RunTrace(engine.node, run, start, end, engine.workerNames, settings.heapRingSize(),
                    highWater, waits, outcome.trace()).withMarks(outcome.marks()).withMarks(retries()).withWorkersRenamed(chipsWithTheirNodes())
                    .withBelow(runsBelow());
            lastTrace = trace;
            writeTrace(run, trace);
        }
        RunOutcomes.logEnd(LOG, run, engineName, outcome, end - start, orchFailure);
        TaskFailedException failure = RunOutcomes.failure(outcome, orchFailure);
        if (failure != null) {
            throw failure;
        }
    }

    /** In cluster mode each retry of this run, on its chip's lane: the attempt its node lost, then the retry. */
    private List<TraceMark> retries() {
        return engine.nodeTasks.retryLog().stream().map(r -> new TraceMark(WorkerKind.CHIP.workerName(r.chip(), engine.enginesBelow),
                r.nanos(), "retry", "the attempt on worker node " + r.node() + " failed (lost with the node, timed"
                + " out or its results lost); the task was dispatched again")).toList();
    }

    /**
     * In cluster mode each next-level worker that ran tasks this run, named with its node: chip 3 @
     * 127.0.0.1:25522, or at level 4 engine 1 @ 127.0.0.1:25522.
     */
    private Map<String, String> chipsWithTheirNodes() {
        Map<String, String> names = new HashMap<>();
        engine.nodeTasks.chipNodes().forEach((chip, node) -> names.put(WorkerKind.CHIP.workerName(chip, engine.enginesBelow),
                nextLevelWorker(chip, node)));
        return names;
    }

    /** Level 4: the level-3 runs this run's tasks carried, each named as its engine's lane. */
    private List<RunTrace> runsBelow() {
        return engine.nodeTasks.runsBelow().stream().map(b -> b.trace().named(nextLevelWorker(b.worker(), b.node())))
                .toList();
    }

    private String nextLevelWorker(int index, String node) {
        return WorkerKind.CHIP.workerName(index, engine.enginesBelow) + " @ " + node;
    }

    private void writeTrace(int run, RunTrace trace) {
        Optional<Path> file = settings.trace().runFile(run);
        if (file.isEmpty()) {
            return;
        }
        try {
            ChromeTrace.write(file.get(), trace);
        } catch (IOException | RuntimeException ex) {
            LOG.warn("run {}: could not write the trace to {}: {}", run, file.get(), ex.toString());
        }
    }

    private void awaitDrain(long deadline, Throwable orchFailure) {
        boolean drained;
        try {
            drained = engine.ring.awaitDrained(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            broken = "interrupted while waiting for a run to drain";
            throw new TaskFailedException("interrupted while waiting for the run to drain", -1, "run", ie);
        }
        // An engine that failed may look drained (nothing live), but its scheduler can no longer report.
        if (!drained || engine.failure() != null) {
            if (stopping) {
                broken = "closed during a run";
            } else if (engine.failure() != null) {
                broken = engine.failure();
            } else if (engine.ring.isShutdown()) {
                broken = "an engine actor stopped unexpectedly during the run (see the log)";
            } else {
                broken = "a run did not drain within strata.run.timeout = " + settings.runTimeout() + " ("
                        + engine.ring.liveSlots() + " slots still live)";
            }
            throw new TaskFailedException("run failed: " + broken, -1, "run", orchFailure);
        }
    }

    private RunOutcome finishRun() {
        try {
            return AskPattern.<SchedulerActor.Command, RunOutcome>ask(engine.scheduler, SchedulerActor.FinishRun::new,
                            OUTCOME_TIMEOUT, engine.system.scheduler())
                    .toCompletableFuture().get(OUTCOME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            broken = "interrupted while collecting a run's outcome";
            throw new TaskFailedException(broken, -1, "run", ie);
        } catch (Exception ex) {
            broken = engine.failure() != null ? engine.failure()
                    : "the scheduler did not report a run's outcome within " + OUTCOME_TIMEOUT;
            throw new TaskFailedException(broken, -1, "run", ex);
        }
    }

    /** What the last finished run did; null before the first. Any thread. */
    RunSummary lastRun() {
        return lastRun;
    }

    /** The last finished run's trace when tracing is on, else null. Any thread. */
    RunTrace lastRunTrace() {
        return lastTrace;
    }

    /** Progress of the current run, or of the last one between runs. Any thread. */
    RunProgress progress() {
        RunClock c = clock;
        if (c == null) {
            return RunProgress.NONE;
        }
        long elapsed = (c.active() ? System.nanoTime() : c.endNanos()) - c.startNanos();
        return new RunProgress(engine.progress.submitted(), engine.progress.running(), engine.progress.done(),
                engine.progress.failed(), engine.progress.skipped(), Duration.ofNanos(Math.max(0, elapsed)),
                c.active());
    }

    /**
     * Wakes a run waiting for its drain or for heap room, which then fails as "closed during a run"; no run can
     * start afterwards. Any thread; idempotent.
     */
    void stop() {
        stopping = true;
        engine.ring.shutdown();
    }

    /** Stops the engine; unmaps its memory only if {@code userCodeDone} (no orch fn can still hold a view). */
    void close(boolean userCodeDone) {
        stop();
        engine.close(userCodeDone);
    }
}
