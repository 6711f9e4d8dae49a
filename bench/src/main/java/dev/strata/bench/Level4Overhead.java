package dev.strata.bench;

import dev.strata.trace.RunTrace;
import dev.strata.trace.TaskTrace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What each level-4 task of a chain costs over the level-3 run it carries, from the level-4 head's trace, µs, in time
 * order. {@code total}: the task's span on the head (end - start) minus the wall time of its run below
 * ({@link RunTrace#below()}: end - start); each is a difference of two times of one JVM, so it does not depend on how
 * well the node's clock is aligned with the head's. It splits into {@code before}, from the task's start on the head
 * to its level-3 run's start (shipping the tensors, the hop to the engine, copying them into its memory), and
 * {@code after}, from the run's end to the task's end (the engine's end-of-run bookkeeping, the answer with the
 * bytes and the trace, the hop back, writing the bytes into the head's memory); these two compare a node's time
 * with the head's, on the common clock the head moves the runs below onto (exact to a few µs on one machine).
 *
 * <p>The trace must be of a chain (tasks that never overlap), so that the i-th task in time carries the i-th run
 * below in time; anything else is refused rather than paired wrongly.
 */
record Level4Overhead(double[] total, double[] before, double[] after) {

    /** The overhead of each level-4 task of {@code chain} over its level-3 run. */
    static Level4Overhead of(RunTrace chain) {
        List<TaskTrace> tasks = new ArrayList<>(chain.tasks().stream().filter(TaskTrace::ran).toList());
        tasks.sort(Comparator.comparingLong(TaskTrace::startNanos));
        List<RunTrace> runs = new ArrayList<>(chain.below());
        runs.sort(Comparator.comparingLong(RunTrace::startNanos));
        if (tasks.isEmpty() || tasks.size() != runs.size()) {
            throw new IllegalArgumentException(tasks.size() + " level-4 tasks ran but " + runs.size()
                    + " level-3 runs came back: each task must carry exactly one run (" + chain + ")");
        }
        int n = tasks.size();
        double[] total = new double[n];
        double[] before = new double[n];
        double[] after = new double[n];
        for (int i = 0; i < n; i++) {
            TaskTrace task = tasks.get(i);
            RunTrace run = runs.get(i);
            if (i > 0 && task.startNanos() < tasks.get(i - 1).endNanos()) {
                throw new IllegalArgumentException("level-4 tasks overlap (not a chain): " + tasks.get(i - 1)
                        + " and " + task);
            }
            if (!run.node().equals(task.worker())) {
                throw new IllegalArgumentException("level-4 task " + task + " ran on '" + task.worker()
                        + "' but the level-3 run in its place ran on '" + run.node() + "'");
            }
            total[i] = (task.durationNanos() - run.wallNanos()) / 1e3;
            before[i] = (run.startNanos() - task.startNanos()) / 1e3;
            after[i] = (task.endNanos() - run.endNanos()) / 1e3;
        }
        return new Level4Overhead(total, before, after);
    }
}
