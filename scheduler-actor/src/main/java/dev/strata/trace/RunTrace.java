package dev.strata.trace;

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
 */
public record RunTrace(String node, int run, long startNanos, long endNanos, List<String> workers,
                       long heapSizeBytes, long heapHighWaterBytes, long backPressureWaits, List<TaskTrace> tasks,
                       List<TraceMark> marks) {

    public RunTrace {
        Objects.requireNonNull(node, "node");
        workers = List.copyOf(workers);
        tasks = List.copyOf(tasks);
        marks = List.copyOf(marks);
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
                backPressureWaits, tasks, all);
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
                backPressureWaits, renamed, renamedMarks);
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
