package dev.strata.dispatch;

import dev.strata.graph.SlotState;
import dev.strata.graph.TaskGraph;
import dev.strata.graph.TaskState;
import dev.strata.metrics.ProgressCounters;
import dev.strata.metrics.TaskLatencies;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.CborSerializable;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.ring.HeapRing;
import dev.strata.ring.ReleaseBatch;
import dev.strata.trace.TaskTrace;
import dev.strata.trace.TraceMark;
import dev.strata.trace.TraceRecorder;
import dev.strata.worker.InjectedFault;
import dev.strata.worker.TaskDone;
import dev.strata.worker.WorkerActor;
import dev.strata.worker.WorkerDispatch;
import dev.strata.worker.WorkerKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The DAG executor: turns the orchestrator's submits into graph state, dispatches ready slots to workers,
 * handles their {@link TaskDone}s and releases consumed slots to the {@link HeapRing}, one batch per
 * message (a short lock, never a wait). It never runs user code and never blocks; all graph logic lives in
 * {@link TaskGraph} and {@link WorkerPool}.
 */
public final class SchedulerActor extends AbstractBehavior<SchedulerActor.Command> {

    /** Messages the scheduler understands. */
    public interface Command extends CborSerializable {
    }

    /**
     * A task (one args entry) or group (N entries) was submitted in {@code slot}; {@code producers} are the
     * distinct slots its INPUT/INOUT tensors were last written by; {@code submitNanos} is when (the
     * orchestrator's {@code System.nanoTime()}, 0 when tracing is off).
     */
    public record Submit(int slot, WorkerKind kind, long callable, List<TaskArgsSnapshot> args, CallConfig config,
                         int[] producers, long submitNanos) implements Command {

        /** A submit without a timestamp. */
        public Submit(int slot, WorkerKind kind, long callable, List<TaskArgsSnapshot> args, CallConfig config,
                      int[] producers) {
            this(slot, kind, callable, args, config, producers, 0L);
        }
    }

    /** {@code orch.alloc} made {@code slot}: completed at once, owns a heap slab until consumed. */
    public record AllocSlot(int slot) implements Command {
    }

    /** A scope ended: drop its reference on these slots. */
    public record ScopeEnd(int[] slots) implements Command {
    }

    /**
     * Commands wait in this scheduler's {@link SchedulerInbox}: take them (up to {@link #DRAIN_BATCH}, then again
     * after the messages queued meanwhile). Never leaves the JVM: the inbox is shared with the orchestrator.
     */
    public record Drain() implements Command, NoSerializationVerificationNeeded {
        /** The one instance: it carries nothing. */
        public static final Drain INSTANCE = new Drain();
    }

    /** The run has drained: report its outcome and forget its graph state. */
    public record FinishRun(ActorRef<RunOutcome> replyTo) implements Command {
    }

    /** A worker's {@link TaskDone}, adapted to this protocol. */
    public record WorkerDone(TaskDone done) implements Command {
    }

    /**
     * Sent to self only when the ring's lock was busy at the end of a message: release the batch then,
     * after the messages already queued (which may add to it).
     */
    private record ReleaseLater() implements Command {
    }

    /** One failed task member, named for the user. */
    public record FailureReport(int slot, String callableName, String worker, int groupIndex, TaskError error)
            implements CborSerializable {
    }

    /**
     * What a run did.
     *
     * @param failures        every failed task member
     * @param completedTasks  tasks that ran (failed ones included)
     * @param skippedTasks    tasks skipped because a producer failed
     * @param earlyDispatches tasks sent to a worker queued behind their producers there, before they were ready
     * @param failedTasks     tasks with a failed member
     * @param trace           one record per task member when tracing is enabled, else empty
     * @param marks           this run's injected faults, when tracing is enabled, else empty
     * @param warnings        the tag checker's warnings (a task wrote a NO_DEP tensor), each naming its task and
     *                        worker, at most {@link #MAX_WARNINGS} and then a count of the rest; empty when none
     */
    public record RunOutcome(List<FailureReport> failures, long completedTasks, long skippedTasks,
                             long earlyDispatches, long failedTasks, List<TaskTrace> trace, List<TraceMark> marks,
                             List<String> warnings)
            implements CborSerializable {
        public RunOutcome {
            marks = List.copyOf(marks);
            warnings = List.copyOf(warnings);
        }

        /** An outcome without marks or warnings. */
        public RunOutcome(List<FailureReport> failures, long completedTasks, long skippedTasks,
                          long earlyDispatches, long failedTasks, List<TaskTrace> trace) {
            this(failures, completedTasks, skippedTasks, earlyDispatches, failedTasks, trace, List.of(), List.of());
        }
    }

    /** Warnings one run keeps: a kernel that writes its NO_DEP tensor may do so in every one of its tasks. */
    public static final int MAX_WARNINGS = 100;

    private static final int[] NO_SLOTS = new int[0];

    /** A sub worker turning short tasks over may hold this many times queue-depth (at most 256). */
    static int shortTaskDepth(int queueDepth) {
        return Math.max(queueDepth, Math.min(256, queueDepth * 8));
    }

    /**
     * Inbox commands one {@link Drain} takes at most: enough to make a burst of submits one message, few enough
     * that the completions queued behind it are not held up (the rest follow after them).
     */
    static final int DRAIN_BATCH = 128;

    private final TaskGraph graph;
    private final Map<WorkerKind, WorkerPool> pools;
    private final List<String> chipNames;
    private final HeapRing ring;
    private final ActorRef<TaskDone> doneAdapter;
    private final Map<WorkerKind, DispatchSink> sinks;
    private final SchedulerInbox inbox;
    private final ReleaseBatch consumed = new ReleaseBatch();
    private boolean releaseLater; // a ReleaseLater is on its way
    private long earlyDispatches;
    private int epoch; // run number: lets a worker tell this run's slot ids from the last run's
    private final ProgressCounters counters;
    private final TraceRecorder recorder; // null when tracing is off: then tracing costs one null check per event
    private final Map<WorkerKind, String[]> workerNames = new java.util.EnumMap<>(WorkerKind.class);
    private final TaskLatencies latencies;
    private final FaultPlan faults; // null unless a test injects faults: then one null check per dispatch
    private final List<TraceMark> faultMarks = new ArrayList<>(); // this run's injected faults, when tracing
    private long submitted;
    private long running;
    private final List<String> warnings = new ArrayList<>(); // this run's, at most MAX_WARNINGS
    private long moreWarnings;

    /**
     * A scheduler over the given worker actors (by kind), each holding at most {@code queueDepth}
     * dispatches; {@code chipNames} names chip callables (index = id) in failure reports; consumed slots go back to
     * {@code ring}.
     */
    public static Behavior<Command> create(Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers,
                                           int queueDepth, List<String> chipNames, HeapRing ring) {
        return create(workers, queueDepth, chipNames, ring, new ProgressCounters(), new TaskLatencies(), false, false,
                null, new SchedulerInbox());
    }

    /**
     * As above, publishing live counts to {@code counters} (which only this actor writes), task latencies to
     * {@code latencies} (read by the user thread after each run) and, when
     * {@code tracing}, recording every task for the trace handed back in {@link RunOutcome#trace()}; the workers are
     * named as those of an engine with engines below it or not ({@link WorkerKind#workerName(int, boolean)}); every
     * dispatch asks {@code faults} (null: none) what to inject; the orchestrator's commands may also come through
     * {@code inbox} (each burst announced by a {@link Drain}).
     */
    public static Behavior<Command> create(Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers,
                                           int queueDepth, List<String> chipNames,
                                           HeapRing ring, ProgressCounters counters, TaskLatencies latencies,
                                           boolean tracing, boolean enginesBelow, FaultPlan faults,
                                           SchedulerInbox inbox) {
        return Behaviors.setup(ctx -> new SchedulerActor(ctx, workers, queueDepth, chipNames, ring, counters,
                latencies, tracing, enginesBelow, faults, inbox));
    }

    private SchedulerActor(ActorContext<Command> ctx, Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers,
                           int queueDepth, List<String> chipNames, HeapRing ring,
                           ProgressCounters counters, TaskLatencies latencies, boolean tracing,
                           boolean enginesBelow, FaultPlan faults, SchedulerInbox inbox) {
        super(ctx);
        this.inbox = inbox;
        this.faults = faults;
        this.counters = counters;
        this.latencies = latencies;
        this.recorder = tracing ? new TraceRecorder() : null;
        for (WorkerKind k : WorkerKind.values()) {
            String[] names = new String[workers.getOrDefault(k, List.of()).size()];
            for (int i = 0; i < names.length; i++) {
                names[i] = k.workerName(i, enginesBelow);
            }
            workerNames.put(k, names);
        }
        this.pools = new java.util.EnumMap<>(WorkerKind.class);
        for (WorkerKind k : WorkerKind.values()) {
            // Sub workers run user callables in this JVM: they may queue deeper while turning short tasks over.
            // Chips keep queue-depth as their bound (a remote or PROCESS chip's tasks in flight).
            int shortTaskDepth = k == WorkerKind.SUB ? shortTaskDepth(queueDepth) : queueDepth;
            pools.put(k, new WorkerPool(workers.getOrDefault(k, List.of()).size(), queueDepth, shortTaskDepth));
        }
        this.chipNames = chipNames;
        this.ring = ring;
        this.doneAdapter = ctx.messageAdapter(TaskDone.class, WorkerDone::new);
        this.graph = new TaskGraph(new TaskGraph.Events() {
            @Override
            public void ready(SlotState s) {
                markReady(s);
                pools.get(s.kind()).enqueue(s);
            }

            @Override
            public void producersDone(SlotState s) {
                markReady(s);
            }

            @Override
            public void finished(SlotState s) {
                if (s.dispatched()) {
                    running--;
                }
            }

            @Override
            public void consumed(int slot, boolean failed) {
                consumed.add(slot, failed); // released when this message is handled: releaseConsumed()
            }

            @Override
            public void affine(SlotState s, int worker) {
                pools.get(s.kind()).offerAffine(s, worker);
            }
        }, ring::releasedFailed, queueDepth);
        this.sinks = new java.util.EnumMap<>(WorkerKind.class);
        for (WorkerKind k : WorkerKind.values()) {
            sinks.put(k, new DispatchSink(workers.getOrDefault(k, List.of())));
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(Drain.class, this::onDrain)
                .onMessage(WorkerDone.class, this::onWorkerDone)
                .onMessage(AllocSlot.class, this::onAlloc)
                .onMessage(ScopeEnd.class, this::onScopeEnd)
                .onMessage(ReleaseLater.class, this::onReleaseLater)
                .onMessage(FinishRun.class, this::onFinishRun)
                .build();
    }

    private Behavior<Command> onSubmit(Submit m) {
        wire(m);
        pump(m.kind());
        publish();
        releaseConsumed(); // a task skipped at once drops its producers' references
        return this;
    }

    /**
     * Takes the inbox's commands in order, then dispatches what they made ready, once for the whole burst (in
     * the same FIFO order as one by one), and releases what they consumed in one batch. A worker with nothing to
     * do does not wait for the rest of the burst: what is ready goes to it as soon as it is wired.
     */
    private Behavior<Command> onDrain(Drain m) {
        if (takeInbox(DRAIN_BATCH) == DRAIN_BATCH && !inbox.isEmpty()) {
            getContext().getSelf().tell(Drain.INSTANCE); // the drain stays due: the rest after queued completions
        } else if (inbox.drained()) {
            getContext().getSelf().tell(Drain.INSTANCE);
        }
        pump(WorkerKind.SUB);
        pump(WorkerKind.CHIP);
        publish();
        releaseConsumed();
        return this;
    }

    /** Handles up to {@code max} inbox commands as their messages would be, without dispatching; how many. */
    private int takeInbox(int max) {
        int taken = 0;
        Command c;
        while (taken < max && (c = inbox.poll()) != null) {
            taken++;
            if (c instanceof Submit s) {
                wire(s);
                WorkerPool pool = pools.get(s.kind());
                if (pool.hasIdleWorker() && pool.queuedReady() > 0) {
                    // A burst into an idle engine: its first task used to wait until the whole burst was wired
                    // (0.3-2 ms for 120 submits before the JIT had compiled the scheduler).
                    pump(s.kind());
                }
            } else if (c instanceof ScopeEnd e) {
                graph.scopeEnd(e.slots());
            } else if (c instanceof AllocSlot a) {
                graph.alloc(a.slot());
            } else {
                throw new IllegalArgumentException("not an orchestrator command: " + c);
            }
        }
        return taken;
    }

    /** A submit's graph state: the slot is wired, and queued for dispatch if ready. */
    private void wire(Submit m) {
        submitted++;
        if (recorder != null) {
            recorder.submitted(m.slot(), callableName(m.kind(), m.callable()), m.args().size(), m.producers(),
                    m.submitNanos());
        }
        if (consumed.hasFailed()) {
            // The graph may ask the ring whether a consumed producer failed: the ring must know them all.
            ring.release(consumed);
        }
        graph.submit(m.slot(), m.kind(), m.callable(), m.args(), m.config(), m.producers());
    }

    private Behavior<Command> onWorkerDone(WorkerDone m) {
        TaskDone d = m.done();
        if (d.startNanos() != 0 && !d.skipped()) {
            pools.get(d.kind()).done(d.workerIndex(), d.startNanos(), d.endNanos());
        } else {
            pools.get(d.kind()).done(d.workerIndex());
        }
        if (d.startNanos() != 0 && !d.skipped()) {
            latencies.recordTaskDuration(d.endNanos() - d.startNanos());
            SlotState s = graph.slot(d.slot());
            if (s != null && s.readyNanos() != 0) {
                latencies.recordDispatchLatency(d.startNanos() - s.readyNanos()); // < 0 (early, started first) counts as 0
            }
        }
        if (recorder != null) {
            recorder.memberDone(d.slot(), d.groupIndex(), d.startNanos(), d.endNanos(), d.error(), d.skipped());
        }
        if (d.warning() != null) {
            warned(d);
        }
        graph.memberDone(d.slot(), d.groupIndex(), workerNames.get(d.kind())[d.workerIndex()], d.error(),
                d.skipped());
        // A completion can make slots of either kind ready.
        pump(WorkerKind.SUB);
        pump(WorkerKind.CHIP);
        publish();
        releaseConsumed(); // after the dispatches: workers start first, the ring's lock comes last
        return this;
    }

    private Behavior<Command> onAlloc(AllocSlot m) {
        graph.alloc(m.slot());
        return this;
    }

    private Behavior<Command> onScopeEnd(ScopeEnd m) {
        graph.scopeEnd(m.slots());
        releaseConsumed();
        return this;
    }

    private Behavior<Command> onFinishRun(FinishRun m) {
        // The run drained, so nothing left in the inbox holds a slot; an empty scope's end may still wait there.
        takeInbox(Integer.MAX_VALUE);
        List<FailureReport> reports = new ArrayList<>();
        for (TaskGraph.Failure f : graph.failures()) {
            reports.add(new FailureReport(f.slot(), callableName(f.kind(), f.callable()),
                    f.worker(), f.groupIndex(), f.error()));
        }
        publish();
        List<TaskTrace> trace = recorder == null ? List.of() : recorder.finish();
        if (moreWarnings > 0) {
            warnings.add(moreWarnings + " more warning(s) not kept");
        }
        m.replyTo().tell(new RunOutcome(reports, graph.completedTasks(), graph.skippedTasks(), earlyDispatches,
                graph.failedTasks(), trace, faultMarks, warnings));
        faultMarks.clear();
        warnings.clear();
        moreWarnings = 0;
        earlyDispatches = 0;
        submitted = 0;
        running = 0;
        graph.reset();
        pools.values().forEach(WorkerPool::clearAffinity);
        epoch++;
        return this;
    }

    /**
     * Hands the slots consumed so far to the ring under one lock acquisition: that is the batching (a scope
     * end or a cascade of completions consumes many at once). Direct when the lock is free, the usual case.
     * When the user thread holds it right now, the scheduler does not park behind it (on a busy 2-core
     * machine that thread may be descheduled with the lock held): the batch keeps growing and one
     * {@link ReleaseLater} to self releases it after the messages already queued.
     */
    private void releaseConsumed() {
        if (consumed.isEmpty() || releaseLater) {
            return;
        }
        if (!ring.tryRelease(consumed)) {
            releaseLater = true;
            getContext().getSelf().tell(new ReleaseLater());
        }
    }

    private Behavior<Command> onReleaseLater(ReleaseLater m) {
        releaseLater = false;
        if (!consumed.isEmpty()) {
            ring.release(consumed); // waits for the lock now: the mailbox had nothing more urgent
        }
        return this;
    }

    private void markReady(SlotState s) {
        long now = System.nanoTime();
        s.markReady(now);
        if (recorder != null) {
            recorder.ready(s.slot(), now);
        }
    }

    /** Live counts for Worker.progress() and JMX: plain ordered stores, this actor is the only writer. */
    private void publish() {
        long failed = graph.failedTasks();
        counters.publish(submitted, running, graph.completedTasks() - failed, failed, graph.skippedTasks(),
                pools.get(WorkerKind.SUB).queuedReady() + pools.get(WorkerKind.CHIP).queuedReady());
    }

    private void pump(WorkerKind kind) {
        pools.get(kind).pump(sinks.get(kind));
    }

    /** Turns one pool's decisions into graph transitions and {@link WorkerDispatch} messages. */
    private final class DispatchSink implements WorkerPool.Sink {
        private final List<ActorRef<WorkerActor.Command>> refs;

        DispatchSink(List<ActorRef<WorkerActor.Command>> refs) {
            this.refs = refs;
        }

        @Override
        public void dispatch(SlotState s, int member, int worker) {
            int[] after = NO_SLOTS;
            if (member == 0) {
                boolean early = s.state() == TaskState.PENDING;
                if (early) {
                    after = graph.unfinishedProducers(s);
                    earlyDispatches++;
                }
                graph.dispatched(s, s.groupSize() == 1 ? worker : -1);
                running++;
            }
            if (recorder != null) {
                recorder.dispatched(s.slot(), member, workerNames.get(s.kind())[worker], System.nanoTime(),
                        s.state() == TaskState.RUNNING && s.readyNanos() == 0);
            }
            InjectedFault fault = faults == null ? null : faultAt(s, member, workerNames.get(s.kind())[worker]);
            refs.get(worker).tell(new WorkerDispatch(s.slot(), member, s.callable(), s.args(member), s.config(),
                    epoch, after, fault, doneAdapter));
        }

        private InjectedFault faultAt(SlotState s, int member, String worker) {
            String callable = callableName(s.kind(), s.callable());
            InjectedFault fault;
            try {
                fault = faults.at(new DispatchPoint(callable, s.slot(), member, worker, epoch));
            } catch (RuntimeException e) {
                fault = InjectedFault.fail("the fault plan threw " + e);
            }
            if (fault != null && recorder != null) {
                faultMarks.add(new TraceMark(worker, System.nanoTime(), "fault",
                        callable + " slot " + s.slot() + (s.groupSize() > 1 ? " member " + member : "") + ": "
                                + fault.description()));
            }
            return fault;
        }

        @Override
        public int affineWorker(SlotState s) {
            return graph.affineWorker(s);
        }
    }

    /** Keeps a worker's tag-check warning for the run's outcome, naming the task and the worker. */
    private void warned(TaskDone d) {
        if (warnings.size() == MAX_WARNINGS) {
            moreWarnings++;
            return;
        }
        warnings.add("task slot " + d.slot() + (d.groupIndex() > 0 ? " member " + d.groupIndex() : "") + " on "
                + workerNames.get(d.kind())[d.workerIndex()] + ": " + d.warning());
    }

    /** The name users see for a callable: its registered chip name, or {@code sub#<id>}. */
    private String callableName(WorkerKind kind, long callable) {
        if (kind == WorkerKind.CHIP) {
            return callable >= 0 && callable < chipNames.size() ? chipNames.get((int) callable) : "chip#" + callable;
        }
        return "sub#" + callable;
    }
}
