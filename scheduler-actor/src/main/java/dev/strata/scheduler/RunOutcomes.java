package dev.strata.scheduler;

import dev.strata.cluster.NodeTaskCounts;
import dev.strata.dispatch.SchedulerActor.FailureReport;
import dev.strata.dispatch.SchedulerActor.RunOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;

/**
 * What a run's outcome (the scheduler's reply at the end of a run) means to the user: the exception
 * {@link Worker#run} throws, the {@link RunSummary} {@link Worker#lastRun()} returns, and the log lines.
 */
final class RunOutcomes {
    /** A run with thousands of failed tasks logs this many of them, then a count. */
    static final int MAX_LOGGED_FAILURES = 20;

    private RunOutcomes() {
    }

    /**
     * What {@code run} throws for this outcome: the orch fn's failure (the tasks' failures suppressed in it) or
     * else the first task failure; null when the run succeeded.
     */
    static TaskFailedException failure(RunOutcome outcome, Throwable orchFailure) {
        if (orchFailure != null) {
            TaskFailedException failure = new TaskFailedException("orchestration function failed: " + orchFailure,
                    -1, "orch", orchFailure);
            outcome.failures().forEach(f -> failure.addSuppressed(taskFailure(f, outcome)));
            return failure;
        }
        return outcome.failures().isEmpty() ? null : taskFailure(outcome.failures().get(0), outcome);
    }

    private static TaskFailedException taskFailure(FailureReport f, RunOutcome outcome) {
        String others = outcome.failures().size() > 1
                ? " (" + (outcome.failures().size() - 1) + " more failure(s))" : "";
        String skipped = outcome.skippedTasks() > 0 ? "; " + outcome.skippedTasks() + " dependent task(s) skipped"
                : "";
        return new TaskFailedException("task slot " + f.slot() + member(f) + " (" + f.callableName() + " on "
                + f.worker() + ") failed: " + f.error().exceptionClass() + ": " + f.error().message() + others
                + skipped, f.slot(), f.callableName(), f.error().toException());
    }

    /**
     * What each worker node did in the run {@code counts} counted, by {@code host:port} in that order: tasks,
     * retries and bytes each way in one record per node (empty without cluster mode).
     */
    static Map<String, RunSummary.NodeWork> nodeWork(NodeTaskCounts counts) {
        Map<String, Long> tasks = counts.snapshot();
        Map<String, Long> retries = counts.retries();
        Map<String, Long> toNodes = counts.bytesToNodes();
        Map<String, Long> fromNodes = counts.bytesFromNodes();
        Set<String> nodes = new TreeSet<>(tasks.keySet());
        nodes.addAll(retries.keySet());
        Map<String, RunSummary.NodeWork> work = new LinkedHashMap<>();
        for (String node : nodes) {
            work.put(node, new RunSummary.NodeWork(tasks.getOrDefault(node, 0L), retries.getOrDefault(node, 0L),
                    toNodes.getOrDefault(node, 0L), fromNodes.getOrDefault(node, 0L)));
        }
        return work;
    }

    /** The public summary of an outcome whose chip tasks ran on worker nodes as {@code nodes} says (empty: none). */
    static RunSummary summary(RunOutcome o, Map<String, RunSummary.NodeWork> nodes) {
        return new RunSummary(o.completedTasks(), o.failedTasks(), o.skippedTasks(), o.earlyDispatches(),
                o.trace().size(), o.failures().stream().map(f -> new RunSummary.TaskFailure(f.slot(),
                        f.callableName(), f.worker(), f.groupIndex(), f.error().exceptionClass(),
                        f.error().message())).toList(), nodes, o.warnings());
    }

    /** Logs the end of run {@code run}: each failure at ERROR (at most {@link #MAX_LOGGED_FAILURES}), then INFO. */
    static void logEnd(Logger log, int run, String engineName, RunOutcome outcome, long wallNanos,
                       Throwable orchFailure) {
        int logged = 0;
        for (FailureReport f : outcome.failures()) {
            if (logged++ == MAX_LOGGED_FAILURES) {
                log.error("run {}: {} more task failure(s) not logged", run, outcome.failures().size() - logged + 1);
                break;
            }
            log.error("run {}: task slot {}{} ({} on {}) failed: {}: {}", run, f.slot(), member(f), f.callableName(),
                    f.worker(), f.error().exceptionClass(), f.error().message());
        }
        if (orchFailure != null) {
            log.error("run {}: orchestration function failed: {}", run, orchFailure.toString());
        }
        for (String w : outcome.warnings()) {
            log.warn("run {}: {}", run, w);
        }
        if (log.isInfoEnabled()) { // the line costs more than a short run's own work (a level-3 run of level 4)
            log.info("run {} finished in {} ms on {}: {} tasks, {} failed, {} skipped", run, millis(wallNanos),
                    engineName, outcome.completedTasks() + outcome.skippedTasks(), outcome.failedTasks(),
                    outcome.skippedTasks());
        }
    }

    /**
     * {@code nanos} as milliseconds with three decimals ("162.489"), without {@code String.format}: code that
     * runs once per run stays interpreted, where a format costs a tenth of a millisecond.
     */
    static String millis(long nanos) {
        long micros = Math.max(0, nanos) / 1_000;
        long fraction = micros % 1_000;
        return micros / 1_000 + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
    }

    private static String member(FailureReport f) {
        return f.groupIndex() > 0 ? " member " + f.groupIndex() : "";
    }
}
