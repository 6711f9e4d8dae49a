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
     */
    public record RunOutcome(List<FailureReport> failures, long completedTasks, long skippedTasks,
                             long earlyDispatches, long failedTasks, List<TaskTrace> trace, List<TraceMark> marks)
            implements CborSerializable {
    }

    private static final int[] NO_SLOTS = new int[0];

    private final TaskGraph graph;
    private final Map<WorkerKind, WorkerPool> pools;
    private final List<String> chipNames;
    private final HeapRing ring;
    private final ActorRef<TaskDone> doneAdapter;
    private final Map<WorkerKind, DispatchSink> sinks;
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

    /**
     * A scheduler over the given worker actors (by kind), each holding at most {@code queueDepth}
     * dispatches; {@code chipNames} names chip callables (index = id) in failure reports; consumed slots go back to
     * {@code ring}.
     */
    public static Behavior<Command> create(Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers,
                                           int queueDepth, List<String> chipNames, HeapRing ring) {
        return create(workers, queueDepth, chipNames, ring, new ProgressCounters(), new TaskLatencies(), false, false,
                null);
    }

    /**
     * As above, publishing live counts to {@code counters} (which only this actor writes), task latencies to
     * {@code latencies} (read by the user thread after each run) and, when
     * {@code tracing}, recording every task for the trace handed back in {@link RunOutcome#trace()}; the workers are
     * named as those of an engine with engines below it or not ({@link WorkerKind#workerName(int, boolean)}); every
     * dispatch asks {@code faults} (null: none) what to inject.
     */
    public static Behavior<Command> create(Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers,
                                           int queueDepth, List<String> chipNames,
                                           HeapRing ring, ProgressCounters counters, TaskLatencies latencies,
                                           boolean tracing, boolean enginesBelow, FaultPlan faults) {
        return Behaviors.setup(ctx -> new SchedulerActor(ctx, workers, queueDepth, chipNames, ring, counters,
                latencies, tracing, enginesBelow, faults));
    }

    private SchedulerActor(ActorContext<Command> ctx, Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers,
                           int queueDepth, List<String> chipNames, HeapRing ring,
                           ProgressCounters counters, TaskLatencies latencies, boolean tracing,
                           boolean enginesBelow, FaultPlan faults) {
        super(ctx);
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
            pools.put(k, new WorkerPool(workers.getOrDefault(k, List.of()).size(), queueDepth));
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
                .onMessage(WorkerDone.class, this::onWorkerDone)
                .onMessage(AllocSlot.class, this::onAlloc)
                .onMessage(ScopeEnd.class, this::onScopeEnd)
                .onMessage(ReleaseLater.class, this::onReleaseLater)
                .onMessage(FinishRun.class, this::onFinishRun)
                .build();
    }

    private Behavior<Command> onSubmit(Submit m) {
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
        pump(m.kind());
        publish();
        releaseConsumed(); // a task skipped at once drops its producers' references
        return this;
    }

    private Behavior<Command> onWorkerDone(WorkerDone m) {
        TaskDone d = m.done();
        pools.get(d.kind()).done(d.workerIndex());
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
        List<FailureReport> reports = new ArrayList<>();
        for (TaskGraph.Failure f : graph.failures()) {
            reports.add(new FailureReport(f.slot(), callableName(f.kind(), f.callable()),
                    f.worker(), f.groupIndex(), f.error()));
        }
        publish();
        List<TaskTrace> trace = recorder == null ? List.of() : recorder.finish();
        m.replyTo().tell(new RunOutcome(reports, graph.completedTasks(), graph.skippedTasks(), earlyDispatches,
                graph.failedTasks(), trace, List.copyOf(faultMarks)));
        faultMarks.clear();
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

    /** The name users see for a callable: its registered chip name, or {@code sub#<id>}. */
    private String callableName(WorkerKind kind, long callable) {
        if (kind == WorkerKind.CHIP) {
            return callable >= 0 && callable < chipNames.size() ? chipNames.get((int) callable) : "chip#" + callable;
        }
        return "sub#" + callable;
    }
}
