package dev.strata.bench;

import dev.strata.trace.RunTrace;
import dev.strata.trace.TaskTrace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a level-4 task costs over the level-3 run it carries, from the level-4 head's trace: for each task, its span on
 * the head (end - start: shipping the tensors, the hop to the engine and back, the engine's set-up of the run, the
 * bytes written back) minus the wall time of its run below ({@link RunTrace#below()}: end - start). Each is a
 * difference of two times of one JVM, so the figure does not depend on how well the node's clock is aligned with the
 * head's.
 *
 * <p>The trace must be of a chain (tasks that never overlap), so that the i-th task in time carries the i-th run
 * below in time; anything else is refused rather than paired wrongly.
 */
final class Level4Overhead {
    private Level4Overhead() {
    }

    /** Overhead of each level-4 task of {@code chain} over its level-3 run, µs, in time order. */
    static double[] micros(RunTrace chain) {
        List<TaskTrace> tasks = new ArrayList<>(chain.tasks().stream().filter(TaskTrace::ran).toList());
        tasks.sort(Comparator.comparingLong(TaskTrace::startNanos));
        List<RunTrace> runs = new ArrayList<>(chain.below());
        runs.sort(Comparator.comparingLong(RunTrace::startNanos));
        if (tasks.isEmpty() || tasks.size() != runs.size()) {
            throw new IllegalArgumentException(tasks.size() + " level-4 tasks ran but " + runs.size()
                    + " level-3 runs came back: each task must carry exactly one run (" + chain + ")");
        }
        double[] us = new double[tasks.size()];
        for (int i = 0; i < tasks.size(); i++) {
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
            us[i] = (task.durationNanos() - run.wallNanos()) / 1e3;
        }
        return us;
    }
}
