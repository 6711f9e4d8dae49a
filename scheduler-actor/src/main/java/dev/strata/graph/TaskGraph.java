package dev.strata.graph;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.worker.WorkerKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The DAG state machine the scheduler drives: wires fanin/fanout at submit, makes slots ready, completes
 * them, counts references and decides when a slot is consumed. Plain and single-threaded: the
 * SchedulerActor is its only caller, which is what makes every interleaving of submits and completions
 * safe (a completion can never land between linking a consumer and setting its fanin).
 */
public final class TaskGraph {

    /** What the graph tells its owner; called synchronously from the graph's methods. */
    public interface Events {
        /** {@code s} has no producer left to wait for and should be dispatched. */
        void ready(SlotState s);

        /**
         * {@code slot} is consumed: release it to the heap ring, with {@code failed} (it failed or was
         * skipped) so the ring remembers that for the run; the graph forgets the slot.
         */
        void consumed(int slot, boolean failed);

        /**
         * Pending {@code s} may be dispatched early to {@code worker}: every producer it still waits for is
         * dispatched there, and a worker runs its dispatches in order.
         */
        default void affine(SlotState s, int worker) {
        }

        /** Every producer of {@code s}, which was already dispatched early, has now completed. */
        default void producersDone(SlotState s) {
        }

        /** {@code s} completed: succeeded, failed, or skipped (see {@link SlotState#failedOrSkipped()}). */
        default void finished(SlotState s) {
        }
    }

    /** A member of a task that failed. */
    public record Failure(int slot, WorkerKind kind, long callable, int groupIndex, String worker, TaskError error) {
    }

    private final Events events;
    private final int affinityFaninLimit;
    private final SlotTable live = new SlotTable();
    private final IntPredicate releasedFailed;
    private final ArrayDeque<SlotState> finishing = new ArrayDeque<>();
    private final List<Failure> failures = new ArrayList<>();
    private long completedTasks;
    private long skippedTasks;
    private long failedTasks;

    /**
     * A graph that tells {@code events} what happens and asks {@code releasedFailed} (the heap ring, which
     * alone remembers it once a slot is consumed) whether a consumed producer had failed or been skipped.
     */
    public TaskGraph(Events events, IntPredicate releasedFailed) {
        this(events, releasedFailed, Integer.MAX_VALUE);
    }

    /**
     * As above, looking for early-dispatch affinity only in tasks waiting for at most
     * {@code affinityFaninLimit} producers: they must all sit in one worker's queue, which holds no more than
     * the queue depth, so a wider fanin never qualifies and is not worth scanning.
     */
    public TaskGraph(Events events, IntPredicate releasedFailed, int affinityFaninLimit) {
        this.events = events;
        this.releasedFailed = releasedFailed;
        this.affinityFaninLimit = affinityFaninLimit;
    }

    /**
     * A task was submitted. {@code producers} are the distinct slots the orchestrator found in the tensor
     * map for its INPUT/INOUT tensors (never the slot itself); those already consumed are ignored, except
     * that one released as failed (the ring says so) makes this task skipped. The owner must have released
     * every slot it was told was consumed before it calls this.
     */
    public void submit(int slot, WorkerKind kind, long callable, List<TaskArgsSnapshot> args, CallConfig config,
                       int[] producers) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("slot " + slot + " has no args: a group needs at least one member");
        }
        int wired = 0;
        int[] held = new int[producers.length];
        int failedProducer = -1;
        for (int p : producers) {
            if (p == slot) {
                continue; // a group never depends on itself
            }
            SlotState ps = live.get(p);
            if (ps == null) {
                if (releasedFailed.test(p)) {
                    failedProducer = p;
                }
                continue; // consumed already: nothing to wait for, nothing to keep alive
            }
            ps.refs++;
            held[wired++] = p;
            if (ps.state.compareTo(TaskState.COMPLETED) < 0) {
                if (ps.consumers == null) {
                    ps.consumers = new IntList(4);
                }
                ps.consumers.add(slot);
            } else if (ps.failedOrSkipped()) {
                failedProducer = p;
            }
        }
        int[] heldExact = wired == held.length ? held : java.util.Arrays.copyOf(held, wired);
        SlotState s = new SlotState(slot, kind, callable, args, config, heldExact);
        s.failedProducer = failedProducer;
        for (int p : heldExact) {
            if (live.get(p).state.compareTo(TaskState.COMPLETED) < 0) {
                s.fanin++;
            }
        }
        live.add(s);
        if (s.fanin == 0) {
            becomeReady(s);
            drainFinishing();
        } else {
            offerAffinity(s);
        }
    }

    /** {@code orch.alloc}: a synthetic, already completed slot that owns a heap slab until consumed. */
    public void alloc(int slot) {
        SlotState s = new SlotState(slot, null, -1, List.of(), CallConfig.DEFAULT, new int[0]);
        s.state = TaskState.COMPLETED;
        live.add(s);
    }

    /**
     * The scheduler sent {@code s} to its workers ({@code worker} for a single task, -1 for a group): a READY
     * slot, or a PENDING one early to the worker {@link #affineWorker} names.
     */
    public void dispatched(SlotState s, int worker) {
        if (s.state == TaskState.PENDING) {
            if (worker < 0 || affineWorker(s) != worker) {
                throw new IllegalStateException("early dispatch of " + s + " to worker " + worker
                        + " which does not run all its unfinished producers");
            }
        } else if (s.state != TaskState.READY) {
            throw new IllegalStateException("dispatching " + s + " which is not READY");
        }
        if (s.state == TaskState.PENDING) {
            for (int p : s.producers) {
                live.get(p).hasEarlyConsumer = true;
            }
        }
        s.state = TaskState.RUNNING;
        s.dispatched = true;
        if (s.groupSize() == 1) {
            s.worker = worker;
        }
        IntList consumers = s.consumers;
        if (consumers != null && s.worker >= 0) {
            for (int i = 0; i < consumers.size(); i++) {
                offerAffinity(live.get(consumers.get(i)));
            }
        }
    }

    /**
     * The worker a PENDING single task may be dispatched to before its producers finish, or -1: all its
     * unfinished producers must be single tasks of its kind dispatched to that one worker, none of them may
     * already have a consumer queued behind it there, and none of its producers may have failed. One early
     * consumer per producer keeps a chain on its worker while a fan-out still spreads over all workers.
     */
    public int affineWorker(SlotState c) {
        if (c.state != TaskState.PENDING || c.groupSize() != 1 || c.failedProducer >= 0
                || c.fanin > affinityFaninLimit) {
            return -1;
        }
        int w = -1;
        for (int p : c.producers) {
            SlotState ps = live.get(p);
            if (ps.state == TaskState.COMPLETED) {
                if (ps.failedOrSkipped()) {
                    return -1;
                }
                continue;
            }
            if (ps.state != TaskState.RUNNING || ps.worker < 0 || ps.kind != c.kind || ps.hasEarlyConsumer
                    || (w >= 0 && w != ps.worker)) {
                return -1;
            }
            w = ps.worker;
        }
        return w;
    }

    /** The producers of {@code s} that have not completed yet (what an early dispatch must follow). */
    public int[] unfinishedProducers(SlotState s) {
        IntList out = new IntList(s.producers.length);
        for (int p : s.producers) {
            if (live.get(p).state != TaskState.COMPLETED) {
                out.add(p);
            }
        }
        return out.toArray();
    }

    /**
     * Member {@code groupIndex} of {@code slot} finished on {@code worker}, with {@code error} null on
     * success; {@code skipped} when the worker did not run an early dispatch because a producer failed there.
     */
    public void memberDone(int slot, int groupIndex, String worker, TaskError error, boolean skipped) {
        SlotState s = live.get(slot);
        if (s == null || s.state != TaskState.RUNNING) {
            throw new IllegalStateException("completion for slot " + slot + " which is " + (s == null
                    ? "not live" : s.state));
        }
        if (s.fanin != 0) {
            throw new IllegalStateException("completion for " + s + " before its producers completed");
        }
        if (skipped) {
            if (s.failedProducer < 0) {
                throw new IllegalStateException(worker + " skipped " + s + " but none of its producers failed");
            }
            s.skipped = true;
        }
        if (error != null) {
            failures.add(new Failure(slot, s.kind, s.callable, groupIndex, worker, error));
            if (s.error == null) {
                s.error = error;
            }
        }
        if (++s.membersDone == s.groupSize()) {
            finishing.add(s);
            drainFinishing();
        }
    }

    /** A scope ended: release its reference on each of {@code slots}. */
    public void scopeEnd(int[] slots) {
        for (int slot : slots) {
            SlotState s = live.get(slot);
            if (s == null) {
                throw new IllegalStateException("scope end for slot " + slot + " which is not live");
            }
            releaseRef(s);
        }
    }

    /** Live slot {@code slot}, or null once it is consumed. */
    public SlotState slot(int slot) {
        return live.get(slot);
    }

    /** The state of {@code slot}; CONSUMED once it is no longer live. */
    public TaskState state(int slot) {
        SlotState s = live.get(slot);
        return s == null ? TaskState.CONSUMED : s.state;
    }

    public int liveSlots() {
        return live.live();
    }

    public List<Failure> failures() {
        return failures;
    }

    public long completedTasks() {
        return completedTasks;
    }

    public long skippedTasks() {
        return skippedTasks;
    }

    /** Tasks (slots) of this run that completed with a failed member; counted in {@link #completedTasks()}. */
    public long failedTasks() {
        return failedTasks;
    }

    /** Forgets everything: called between runs, once every slot is consumed. */
    public void reset() {
        if (live.live() != 0) {
            throw new IllegalStateException("task graph reset with " + live.live() + " live slots");
        }
        live.clear();
        failures.clear();
        completedTasks = 0;
        skippedTasks = 0;
        failedTasks = 0;
    }

    private void offerAffinity(SlotState c) {
        int w = affineWorker(c);
        if (w >= 0) {
            events.affine(c, w);
        }
    }

    private void becomeReady(SlotState s) {
        if (s.failedProducer >= 0) {
            // A producer failed: this task must not run; it completes as skipped, which skips its own consumers.
            s.skipped = true;
            s.state = TaskState.RUNNING;
            finishing.add(s);
        } else {
            s.state = TaskState.READY;
            events.ready(s);
        }
    }

    // A worklist, not recursion: a failure at the head of a 10,000-task chain skips all of it.
    private void drainFinishing() {
        SlotState s;
        while ((s = finishing.poll()) != null) {
            finish(s);
        }
    }

    private void finish(SlotState s) {
        s.state = TaskState.COMPLETED;
        if (s.skipped) {
            skippedTasks++;
        } else {
            completedTasks++;
            if (s.error != null) {
                failedTasks++;
            }
        }
        events.finished(s);
        IntList consumers = s.consumers;
        s.consumers = null;
        if (consumers != null) {
            boolean bad = s.failedOrSkipped();
            for (int i = 0; i < consumers.size(); i++) {
                SlotState c = live.get(consumers.get(i));
                if (bad && c.failedProducer < 0) {
                    c.failedProducer = s.slot;
                }
                if (--c.fanin == 0) {
                    if (c.state == TaskState.PENDING) {
                        becomeReady(c);
                    } else {
                        events.producersDone(c); // it was dispatched early and already waits on its worker
                    }
                }
            }
        }
        for (int p : s.producers) {
            releaseRef(live.get(p));
        }
        tryConsume(s);
    }

    private void releaseRef(SlotState s) {
        if (--s.refs < 0) {
            throw new IllegalStateException("reference count of " + s + " went negative");
        }
        tryConsume(s);
    }

    private void tryConsume(SlotState s) {
        if (s.refs == 0 && s.state == TaskState.COMPLETED) {
            s.state = TaskState.CONSUMED;
            live.remove(s.slot);
            events.consumed(s.slot, s.failedOrSkipped());
        }
    }
}
