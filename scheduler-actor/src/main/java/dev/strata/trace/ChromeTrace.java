package dev.strata.trace;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link RunTrace} in the Chrome Trace Event Format (JSON object form) that Perfetto and
 * {@code chrome://tracing} open: one process per node, one track (tid) per worker named by a
 * {@code thread_name} metadata event, an {@code "X"} complete event per task member that ran, and a flow
 * ({@code "s"} at each producer member's end, {@code "f"} at each consumer member's start, bound by id) per
 * dependency edge. Times are microseconds since the run started.
 *
 * <p>A run with {@link RunTrace#below() runs below} (level 4) stays process 1; each engine below (a distinct
 * {@link RunTrace#node()} among them, the name of its lane in process 1) becomes process 2, 3, ... in order of first
 * appearance, named by the engine, with a track per chip of the engine and the tasks, flows and marks of all its
 * runs there; a task's {@code args} then also name its level-3 {@code run}. The runs below are on this run's clock,
 * so a level-3 task sits inside the level-4 span that carried it.
 */
public final class ChromeTrace {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int PID = 1;

    private ChromeTrace() {
    }

    /** Writes {@code trace} to {@code file}, replacing it. */
    public static void write(Path file, RunTrace trace) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, trace);
        }
    }

    /** Writes {@code trace} to {@code out} (left open). */
    public static void write(OutputStream out, RunTrace trace) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            new ChromeTrace.Writer(g, trace).write();
        }
    }

    /**
     * One process of the file: its {@code pid} and its lanes' {@code tid}s by worker name, 1.. in lane order; a
     * worker met only on a task or mark gets the next one.
     */
    private static final class Track {
        final int pid;
        final Map<String, Integer> tids = new LinkedHashMap<>();

        Track(int pid, List<String> lanes) {
            this.pid = pid;
            lanes.forEach(this::tid);
        }

        int tid(String worker) {
            return tids.computeIfAbsent(worker, w -> tids.size() + 1);
        }
    }

    private static final class Writer {
        private final JsonGenerator g;
        private final RunTrace trace;
        private final Track top;
        /** Flow ids, unique over the file: each run's slots have their own edges. */
        private long flowId;

        Writer(JsonGenerator g, RunTrace trace) {
            this.g = g;
            this.trace = trace;
            this.top = new Track(PID, trace.workers());
        }

        void write() throws IOException {
            g.writeStartObject();
            g.writeStringField("displayTimeUnit", "ms");
            g.writeObjectFieldStart("otherData");
            g.writeStringField("node", trace.node());
            g.writeNumberField("run", trace.run());
            g.writeNumberField("wallMicros", micros(trace.endNanos()));
            g.writeNumberField("heapHighWaterBytes", trace.heapHighWaterBytes());
            g.writeNumberField("backPressureWaits", trace.backPressureWaits());
            g.writeEndObject();
            g.writeArrayFieldStart("traceEvents");
            processName(PID, "strata " + trace.node() + " run " + trace.run());
            lanes(top, trace.workers());
            run(trace, top, false);
            int pid = PID;
            for (Map.Entry<String, List<RunTrace>> engine : engines(trace.below()).entrySet()) {
                Track track = new Track(++pid, lanesOf(engine.getValue()));
                processName(track.pid, engine.getKey());
                processSortIndex(track.pid);
                lanes(track, List.copyOf(track.tids.keySet()));
                for (RunTrace below : engine.getValue()) {
                    run(below, track, true);
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        }

        /** The runs below grouped by their engine's name, engines in order of first appearance. */
        private static Map<String, List<RunTrace>> engines(List<RunTrace> below) {
            Map<String, List<RunTrace>> byEngine = new LinkedHashMap<>();
            below.forEach(r -> byEngine.computeIfAbsent(r.node(), n -> new ArrayList<>()).add(r));
            return byEngine;
        }

        /** An engine's lanes: its runs' workers, then any other worker its tasks or marks name, in order. */
        private static List<String> lanesOf(List<RunTrace> runs) {
            Set<String> lanes = new LinkedHashSet<>();
            runs.forEach(r -> lanes.addAll(r.workers()));
            runs.forEach(r -> r.tasks().stream().filter(TaskTrace::ran).forEach(t -> lanes.add(t.worker())));
            runs.forEach(r -> r.marks().forEach(m -> lanes.add(m.worker())));
            return List.copyOf(lanes);
        }

        /** {@code run}'s tasks, dependency flows and marks on {@code track}'s lanes. */
        private void run(RunTrace run, Track track, boolean withRunNumber) throws IOException {
            Map<Integer, List<TaskTrace>> ranBySlot = new HashMap<>();
            for (TaskTrace t : run.tasks()) {
                if (t.ran()) {
                    complete(t, track, withRunNumber ? run.run() : 0);
                    ranBySlot.computeIfAbsent(t.slot(), k -> new ArrayList<>()).add(t);
                }
            }
            flows(run.tasks(), ranBySlot, track);
            for (TraceMark m : run.marks()) {
                mark(m, track);
            }
        }

        private void processName(int pid, String name) throws IOException {
            g.writeStartObject();
            g.writeStringField("name", "process_name");
            g.writeStringField("ph", "M");
            g.writeNumberField("pid", pid);
            g.writeObjectFieldStart("args");
            g.writeStringField("name", name);
            g.writeEndObject();
            g.writeEndObject();
        }

        /** Keeps the engines below the run's own process, in pid order. */
        private void processSortIndex(int pid) throws IOException {
            g.writeStartObject();
            g.writeStringField("name", "process_sort_index");
            g.writeStringField("ph", "M");
            g.writeNumberField("pid", pid);
            g.writeObjectFieldStart("args");
            g.writeNumberField("sort_index", pid - 1);
            g.writeEndObject();
            g.writeEndObject();
        }

        private void lanes(Track track, List<String> lanes) throws IOException {
            for (int i = 0; i < lanes.size(); i++) {
                for (String kind : new String[] {"thread_name", "thread_sort_index"}) {
                    g.writeStartObject();
                    g.writeStringField("name", kind);
                    g.writeStringField("ph", "M");
                    g.writeNumberField("pid", track.pid);
                    g.writeNumberField("tid", i + 1);
                    g.writeObjectFieldStart("args");
                    if (kind.equals("thread_name")) {
                        g.writeStringField("name", lanes.get(i));
                    } else {
                        g.writeNumberField("sort_index", i);
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                }
            }
        }

        /** {@code run} > 0: the number of the run below that {@code t} belongs to, in its args. */
        private void complete(TaskTrace t, Track track, int run) throws IOException {
            g.writeStartObject();
            g.writeStringField("name", t.callable());
            g.writeStringField("cat", "task");
            g.writeStringField("ph", "X");
            g.writeNumberField("ts", micros(t.startNanos()));
            g.writeNumberField("dur", (t.endNanos() - t.startNanos()) / 1e3);
            g.writeNumberField("pid", track.pid);
            g.writeNumberField("tid", track.tid(t.worker()));
            g.writeObjectFieldStart("args");
            if (run > 0) {
                g.writeNumberField("run", run);
            }
            g.writeNumberField("slot", t.slot());
            g.writeNumberField("group_index", t.groupIndex());
            g.writeNumberField("group_size", t.groupSize());
            g.writeArrayFieldStart("producers");
            for (int p : t.producers()) {
                g.writeNumber(p);
            }
            g.writeEndArray();
            g.writeNumberField("submit_us", micros(t.submitNanos()));
            g.writeNumberField("ready_us", micros(t.readyNanos()));
            g.writeNumberField("dispatch_us", micros(t.dispatchNanos()));
            g.writeBooleanField("early_dispatch", t.early());
            g.writeStringField("status", t.status().name());
            g.writeEndObject();
            g.writeEndObject();
        }

        /** A mark as an instant event on its worker's lane ("s": "t", thread-scoped). */
        private void mark(TraceMark m, Track track) throws IOException {
            g.writeStartObject();
            g.writeStringField("name", m.name());
            g.writeStringField("cat", "mark");
            g.writeStringField("ph", "i");
            g.writeStringField("s", "t");
            g.writeNumberField("ts", micros(m.nanos()));
            g.writeNumberField("pid", track.pid);
            g.writeNumberField("tid", track.tid(m.worker()));
            g.writeObjectFieldStart("args");
            g.writeStringField("detail", m.detail());
            g.writeEndObject();
            g.writeEndObject();
        }

        private void flows(List<TaskTrace> tasks, Map<Integer, List<TaskTrace>> ranBySlot, Track track)
                throws IOException {
            for (TaskTrace consumer : tasks) {
                if (!consumer.ran()) {
                    continue;
                }
                for (int p : consumer.producers()) {
                    for (TaskTrace producer : ranBySlot.getOrDefault(p, List.of())) {
                        flowId++;
                        // "s" binds to the slice enclosing its time: a hair before the producer's end.
                        long span = producer.endNanos() - producer.startNanos();
                        long at = span > 2 ? producer.endNanos() - 1 : producer.startNanos();
                        flow("s", flowId, at, track.pid, track.tid(producer.worker()), false);
                        flow("f", flowId, consumer.startNanos(), track.pid, track.tid(consumer.worker()), true);
                    }
                }
            }
        }

        private void flow(String ph, long id, long nanos, int pid, int tid, boolean bindEnclosing)
                throws IOException {
            g.writeStartObject();
            g.writeStringField("name", "dependency");
            g.writeStringField("cat", "dependency");
            g.writeStringField("ph", ph);
            g.writeNumberField("id", id);
            g.writeNumberField("ts", micros(nanos));
            g.writeNumberField("pid", pid);
            g.writeNumberField("tid", tid);
            if (bindEnclosing) {
                g.writeStringField("bp", "e");
            }
            g.writeEndObject();
        }

        /** Microseconds since the run (the top one: runs below are on its clock) started; 0 stays 0. */
        private double micros(long nanos) {
            return nanos == 0 ? 0 : (nanos - trace.startNanos()) / 1e3;
        }
    }
}
