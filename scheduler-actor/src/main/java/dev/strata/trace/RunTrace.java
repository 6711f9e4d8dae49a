package dev.strata.trace;

import dev.strata.protocol.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The trace of one finished run, assembled on the user thread from the scheduler's records and the ring's
 * figures: what {@link ChromeTrace} and {@link RunReport} render.
 *
 * @param node               the node that ran it (the engine's actor system address)
 * @param run                run number of the engine, from 1
 * @param startNanos         {@code System.nanoTime()} when {@code Worker.run} started
 * @param endNanos           when the run had drained
 * @param workers            every worker of the engine, in lane order ("chip 0", ..., "sub worker 0", ...; in
 *                           cluster mode a chip that ran tasks names its node: "chip 3 @ 127.0.0.1:25522")
 * @param heapSizeBytes      size of the heap ring
 * @param heapHighWaterBytes most heap-ring bytes in use at once during the run
 * @param backPressureWaits  allocations in the run that had to wait for heap room
 * @param tasks              one record per task member, in submit order
 * @param marks              moments on the lanes that are not tasks (a cluster head's retries), in time order
 * @param below              at level 4 and above: the runs of the engines below that this run's tasks carried, one
 *                           per next-level task, each with {@link #node()} naming its engine's lane
 *                           ({@code "engine 0 @ 127.0.0.1:25521"}) and its times on this trace's clock; else empty
 */
public record RunTrace(String node, int run, long startNanos, long endNanos, List<String> workers,
                       long heapSizeBytes, long heapHighWaterBytes, long backPressureWaits, List<TaskTrace> tasks,
                       List<TraceMark> marks, List<RunTrace> below) implements CborSerializable {

    public RunTrace {
        Objects.requireNonNull(node, "node");
        workers = List.copyOf(workers);
        tasks = List.copyOf(tasks);
        marks = List.copyOf(marks);
        below = below == null ? List.of() : List.copyOf(below);
    }

    /** A trace without runs below. */
    public RunTrace(String node, int run, long startNanos, long endNanos, List<String> workers, long heapSizeBytes,
                    long heapHighWaterBytes, long backPressureWaits, List<TaskTrace> tasks, List<TraceMark> marks) {
        this(node, run, startNanos, endNanos, workers, heapSizeBytes, heapHighWaterBytes, backPressureWaits, tasks,
                marks, List.of());
    }

    /** A trace without marks. */
    public RunTrace(String node, int run, long startNanos, long endNanos, List<String> workers, long heapSizeBytes,
                    long heapHighWaterBytes, long backPressureWaits, List<TaskTrace> tasks) {
        this(node, run, startNanos, endNanos, workers, heapSizeBytes, heapHighWaterBytes, backPressureWaits, tasks,
                List.of());
    }

    /** This trace with {@code more} marks, kept in time order. */
    public RunTrace withMarks(List<TraceMark> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<TraceMark> all = new java.util.ArrayList<>(marks);
        all.addAll(more);
        all.sort(java.util.Comparator.comparingLong(TraceMark::nanos));
        return new RunTrace(node, run, startNanos, endNanos, workers, heapSizeBytes, heapHighWaterBytes,
                backPressureWaits, tasks, all, below);
    }

    /**
     * This trace with the workers in {@code names} renamed, in the lanes and in every task (e.g. {@code chip 3} to
     * {@code chip 3 @ 127.0.0.1:25522} in cluster mode); a worker not in {@code names} keeps its name.
     */
    public RunTrace withWorkersRenamed(Map<String, String> names) {
        if (names.isEmpty()) {
            return this;
        }
        List<String> lanes = workers.stream().map(w -> names.getOrDefault(w, w)).toList();
        List<TaskTrace> renamed = tasks.stream().map(t -> names.containsKey(t.worker())
                ? new TaskTrace(t.slot(), t.groupIndex(), t.groupSize(), t.callable(), names.get(t.worker()),
                        t.producers(), t.submitNanos(), t.readyNanos(), t.dispatchNanos(), t.startNanos(),
                        t.endNanos(), t.early(), t.status())
                : t).toList();
        List<TraceMark> renamedMarks = marks.stream().map(m -> m.onWorker(names.getOrDefault(m.worker(),
                m.worker()))).toList();
        return new RunTrace(node, run, startNanos, endNanos, lanes, heapSizeBytes, heapHighWaterBytes,
                backPressureWaits, renamed, renamedMarks, below);
    }

    /** A task's time moved by {@code delta}; 0 (the step did not happen) stays 0. */
    private static long shift(long nanos, long delta) {
        return nanos == 0 ? 0 : nanos + delta;
    }

    /** This trace with {@code runs} added to its {@link #below() runs below} (already on this trace's clock). */
    public RunTrace withBelow(List<RunTrace> runs) {
        if (runs.isEmpty()) {
            return this;
        }
        List<RunTrace> all = new ArrayList<>(below);
        all.addAll(runs);
        return new RunTrace(node, run, startNanos, endNanos, workers, heapSizeBytes, heapHighWaterBytes,
                backPressureWaits, tasks, marks, all);
    }

    /** This trace named {@code name} (an engine's lane at the level above, when it is merged there). */
    public RunTrace named(String name) {
        return new RunTrace(name, run, startNanos, endNanos, workers, heapSizeBytes, heapHighWaterBytes,
                backPressureWaits, tasks, marks, below);
    }

    /**
     * This trace with every time moved by {@code deltaNanos}: how a trace recorded with one JVM's
     * {@code System.nanoTime()} is put on another's clock (see {@code dev.strata.cluster.CommonClock}); a task time
     * of 0 (the step did not happen) stays 0.
     */
    public RunTrace shifted(long deltaNanos) {
        if (deltaNanos == 0) {
            return this;
        }
        List<TaskTrace> moved = tasks.stream().map(t -> new TaskTrace(t.slot(), t.groupIndex(), t.groupSize(),
                t.callable(), t.worker(), t.producers(), shift(t.submitNanos(), deltaNanos),
                shift(t.readyNanos(), deltaNanos), shift(t.dispatchNanos(), deltaNanos),
                shift(t.startNanos(), deltaNanos), shift(t.endNanos(), deltaNanos), t.early(), t.status())).toList();
        List<TraceMark> movedMarks = marks.stream().map(m -> new TraceMark(m.worker(), m.nanos() + deltaNanos,
                m.name(), m.detail())).toList();
        return new RunTrace(node, run, startNanos + deltaNanos, endNanos + deltaNanos, workers, heapSizeBytes,
                heapHighWaterBytes, backPressureWaits, moved, movedMarks,
                below.stream().map(b -> b.shifted(deltaNanos)).toList());
    }

    /** Wall time of the run. */
    public long wallNanos() {
        return endNanos - startNanos;
    }

    @Override
    public String toString() {
        return "RunTrace[run " + run + " on " + node + ", " + tasks.size() + " task members, " + workers.size()
                + " workers, " + wallNanos() / 1000 + " us]";
    }
}
