package dev.strata.graph;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.worker.WorkerKind;
import java.util.List;

/**
 * Per-slot graph state the scheduler keeps: the task data, its lifecycle state, fanin still to wait for,
 * references still held on it, and the consumers to release when it completes.
 */
public final class SlotState {
    final int slot;
    final WorkerKind kind;       // null for alloc slots
    final long callable;
    final List<TaskArgsSnapshot> args;
    final CallConfig config;
    final int[] producers;       // live producers this slot holds a reference on
    TaskState state = TaskState.PENDING;
    int fanin;                   // producers not yet completed
    int refs = 1;                // the enclosing scope's reference plus one per wired consumer
    IntList consumers;           // fanout: consumers waiting on this slot's completion
    int membersDone;
    int failedProducer = -1;     // a producer that failed or was skipped: this slot will be skipped
    TaskError error;             // first failure of a member
    boolean skipped;
    int worker = -1;             // the worker a single task was dispatched to (-1: not yet, or a group)
    boolean dispatched;          // sent to its worker(s): a skipped slot may never be
    long readyNanos;             // when the scheduler saw it ready (its owner's clock, for metrics); 0: not yet
    boolean hasEarlyConsumer;    // one consumer already queued behind this slot on its worker

    SlotState(int slot, WorkerKind kind, long callable, List<TaskArgsSnapshot> args, CallConfig config,
              int[] producers) {
        this.slot = slot;
        this.kind = kind;
        this.callable = callable;
        this.args = args;
        this.config = config;
        this.producers = producers;
    }

    public int slot() {
        return slot;
    }

    public WorkerKind kind() {
        return kind;
    }

    public long callable() {
        return callable;
    }

    public CallConfig config() {
        return config;
    }

    /** Number of workers this slot runs on at once: 1, or N for a group. */
    public int groupSize() {
        return args.size();
    }

    /** Member {@code i}'s args. */
    public TaskArgsSnapshot args(int i) {
        return args.get(i);
    }

    public TaskState state() {
        return state;
    }

    public int fanin() {
        return fanin;
    }

    public int refs() {
        return refs;
    }

    /** The worker this single task was dispatched to, or -1. */
    public int worker() {
        return worker;
    }

    /** Whether the slot was sent to its worker(s). */
    public boolean dispatched() {
        return dispatched;
    }

    /** When the scheduler saw the slot ready ({@code System.nanoTime()}), 0 if not yet. */
    public long readyNanos() {
        return readyNanos;
    }

    /** The scheduler saw the slot ready at {@code nanos}. */
    public void markReady(long nanos) {
        readyNanos = nanos;
    }

    /** True when a member of this slot failed (not skipped). */
    public boolean failed() {
        return error != null;
    }

    /** True when the slot completed without running because a producer failed. */
    public boolean skipped() {
        return skipped;
    }

    /** True once this slot either failed itself or was skipped because a producer did. */
    public boolean failedOrSkipped() {
        return error != null || skipped;
    }

    @Override
    public String toString() {
        return "Slot[" + slot + " " + (kind == null ? "alloc" : kind + "#" + callable) + " " + state
                + " fanin=" + fanin + " refs=" + refs + (args.size() > 1 ? " group=" + args.size() : "") + "]";
    }
}
