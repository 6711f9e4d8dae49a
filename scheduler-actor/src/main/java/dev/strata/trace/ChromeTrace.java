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
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link RunTrace} in the Chrome Trace Event Format (JSON object form) that Perfetto and
 * {@code chrome://tracing} open: one process per node, one track (tid) per worker named by a
 * {@code thread_name} metadata event, an {@code "X"} complete event per task member that ran, and a flow
 * ({@code "s"} at each producer member's end, {@code "f"} at each consumer member's start, bound by id) per
 * dependency edge. Times are microseconds since the run started.
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

    private static final class Writer {
        private final JsonGenerator g;
        private final RunTrace trace;
        private final Map<String, Integer> tids = new HashMap<>();

        Writer(JsonGenerator g, RunTrace trace) {
            this.g = g;
            this.trace = trace;
            for (int i = 0; i < trace.workers().size(); i++) {
                tids.put(trace.workers().get(i), i + 1);
            }
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
            metadata();
            Map<Integer, List<TaskTrace>> ranBySlot = new HashMap<>();
            for (TaskTrace t : trace.tasks()) {
                if (t.ran()) {
                    complete(t);
                    ranBySlot.computeIfAbsent(t.slot(), k -> new ArrayList<>()).add(t);
                }
            }
            flows(ranBySlot);
            for (TraceMark m : trace.marks()) {
                mark(m);
            }
            g.writeEndArray();
            g.writeEndObject();
        }

        private void metadata() throws IOException {
            g.writeStartObject();
            g.writeStringField("name", "process_name");
            g.writeStringField("ph", "M");
            g.writeNumberField("pid", PID);
            g.writeObjectFieldStart("args");
            g.writeStringField("name", "strata " + trace.node() + " run " + trace.run());
            g.writeEndObject();
            g.writeEndObject();
            for (int i = 0; i < trace.workers().size(); i++) {
                for (String kind : new String[] {"thread_name", "thread_sort_index"}) {
                    g.writeStartObject();
                    g.writeStringField("name", kind);
                    g.writeStringField("ph", "M");
                    g.writeNumberField("pid", PID);
                    g.writeNumberField("tid", i + 1);
                    g.writeObjectFieldStart("args");
                    if (kind.equals("thread_name")) {
                        g.writeStringField("name", trace.workers().get(i));
                    } else {
                        g.writeNumberField("sort_index", i);
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                }
            }
        }

        private void complete(TaskTrace t) throws IOException {
            g.writeStartObject();
            g.writeStringField("name", t.callable());
            g.writeStringField("cat", "task");
            g.writeStringField("ph", "X");
            g.writeNumberField("ts", micros(t.startNanos()));
            g.writeNumberField("dur", (t.endNanos() - t.startNanos()) / 1e3);
            g.writeNumberField("pid", PID);
            g.writeNumberField("tid", tid(t));
            g.writeObjectFieldStart("args");
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
        private void mark(TraceMark m) throws IOException {
            g.writeStartObject();
            g.writeStringField("name", m.name());
            g.writeStringField("cat", "mark");
            g.writeStringField("ph", "i");
            g.writeStringField("s", "t");
            g.writeNumberField("ts", micros(m.nanos()));
            g.writeNumberField("pid", PID);
            g.writeNumberField("tid", tids.computeIfAbsent(m.worker(), w -> tids.size() + 1));
            g.writeObjectFieldStart("args");
            g.writeStringField("detail", m.detail());
            g.writeEndObject();
            g.writeEndObject();
        }

        private void flows(Map<Integer, List<TaskTrace>> ranBySlot) throws IOException {
            long id = 0;
            for (TaskTrace consumer : trace.tasks()) {
                if (!consumer.ran()) {
                    continue;
                }
                for (int p : consumer.producers()) {
                    for (TaskTrace producer : ranBySlot.getOrDefault(p, List.of())) {
                        id++;
                        // "s" binds to the slice enclosing its time: a hair before the producer's end.
                        long span = producer.endNanos() - producer.startNanos();
                        long at = span > 2 ? producer.endNanos() - 1 : producer.startNanos();
                        flow("s", id, at, tid(producer), false);
                        flow("f", id, consumer.startNanos(), tid(consumer), true);
                    }
                }
            }
        }

        private void flow(String ph, long id, long nanos, int tid, boolean bindEnclosing) throws IOException {
            g.writeStartObject();
            g.writeStringField("name", "dependency");
            g.writeStringField("cat", "dependency");
            g.writeStringField("ph", ph);
            g.writeNumberField("id", id);
            g.writeNumberField("ts", micros(nanos));
            g.writeNumberField("pid", PID);
            g.writeNumberField("tid", tid);
            if (bindEnclosing) {
                g.writeStringField("bp", "e");
            }
            g.writeEndObject();
        }

        private int tid(TaskTrace t) {
            return tids.computeIfAbsent(t.worker(), w -> tids.size() + 1);
        }

        private double micros(long nanos) {
            return nanos == 0 ? 0 : (nanos - trace.startNanos()) / 1e3;
        }
    }
}
