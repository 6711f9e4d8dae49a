package dev.strata.dispatch;

import dev.strata.graph.IntList;
import dev.strata.graph.SlotState;
import dev.strata.graph.TaskGraph;
import dev.strata.graph.TaskState;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.CborSerializable;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.ring.RingActor;
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
 * handles their {@link TaskDone}s and hands consumed slots to the {@link RingActor} in batches. It never
 * runs user code and never blocks; all graph logic lives in {@link TaskGraph} and {@link WorkerPool}.
 */
public final class SchedulerActor extends AbstractBehavior<SchedulerActor.Command> {

    /** Messages the scheduler understands. */
    public interface Command extends CborSerializable {
    }

    /**
     * A task (one args entry) or group (N entries) was submitted in {@code slot}; {@code producers} are the
     * distinct slots its INPUT/INOUT tensors were last written by.
     */
    public record Submit(int slot, WorkerKind kind, long callable, List<TaskArgsSnapshot> args, CallConfig config,
                         int[] producers) implements Command {
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

    /** Sent to self so consumed slots go to the ring as one batch per burst of messages. */
    private record FlushReleases() implements Command {
    }

    /** One failed task member, named for the user. */
    public record FailureReport(int slot, String callableName, String worker, int groupIndex, TaskError error)
            implements CborSerializable {
    }

    /**
     * What a run did.
     *
     * @param earlyDispatches tasks sent to a worker queued behind their producers there, before they were ready
     */
    public record RunOutcome(List<FailureReport> failures, long completedTasks, long skippedTasks,
                             long earlyDispatches) implements CborSerializable {
    }

    private static final int[] NO_SLOTS = new int[0];

    private final TaskGraph graph;
    private final Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers;
    private final Map<WorkerKind, WorkerPool> pools;
    private final Map<Long, String> chipNames;
    private final ActorRef<RingActor.Command> ring;
    private final ActorRef<TaskDone> doneAdapter;
    private final Map<WorkerKind, DispatchSink> sinks;
    private final IntList released = new IntList(256);
    private final IntList releasedFailed = new IntList(4);
    private boolean flushScheduled;
    private long earlyDispatches;
    private int epoch; // run number: lets a worker tell this run's slot ids from the last run's

    /**
     * A scheduler over the given worker actors (by kind), each holding at most {@code queueDepth}
     * dispatches; {@code chipNames} names chip callables in failure reports.
     */
    public static Behavior<Command> create(Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers,
                                           int queueDepth, Map<Long, String> chipNames,
                                           ActorRef<RingActor.Command> ring) {
        return Behaviors.setup(ctx -> new SchedulerActor(ctx, workers, queueDepth, chipNames, ring));
    }

    private SchedulerActor(ActorContext<Command> ctx, Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers,
                           int queueDepth, Map<Long, String> chipNames, ActorRef<RingActor.Command> ring) {
        super(ctx);
        this.workers = workers;
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
                pools.get(s.kind()).enqueue(s);
            }

            @Override
            public void consumed(int slot, boolean failed) {
                onConsumed(slot, failed);
            }

            @Override
            public void affine(SlotState s, int worker) {
                pools.get(s.kind()).offerAffine(s, worker);
            }
        }, queueDepth);
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
                .onMessage(FlushReleases.class, this::onFlush)
                .onMessage(FinishRun.class, this::onFinishRun)
                .build();
    }

    private Behavior<Command> onSubmit(Submit m) {
        graph.submit(m.slot(), m.kind(), m.callable(), m.args(), m.config(), m.producers());
        pump(m.kind());
        return this;
    }

    private Behavior<Command> onWorkerDone(WorkerDone m) {
        TaskDone d = m.done();
        pools.get(d.kind()).done(d.workerIndex());
        graph.memberDone(d.slot(), d.groupIndex(), workerName(d.kind(), d.workerIndex()), d.error(), d.skipped());
        // A completion can make slots of either kind ready.
        pump(WorkerKind.SUB);
        pump(WorkerKind.CHIP);
        return this;
    }

    private Behavior<Command> onAlloc(AllocSlot m) {
        graph.alloc(m.slot());
        return this;
    }

    private Behavior<Command> onScopeEnd(ScopeEnd m) {
        graph.scopeEnd(m.slots());
        return this;
    }

    private Behavior<Command> onFlush(FlushReleases m) {
        flushScheduled = false;
        if (!released.isEmpty()) {
            ring.tell(new RingActor.Release(released.toArray(), releasedFailed.toArray()));
            released.clear();
            releasedFailed.clear();
        }
        return this;
    }

    private Behavior<Command> onFinishRun(FinishRun m) {
        List<FailureReport> reports = new ArrayList<>();
        for (TaskGraph.Failure f : graph.failures()) {
            reports.add(new FailureReport(f.slot(), callableName(f.kind(), f.callable()),
                    f.worker(), f.groupIndex(), f.error()));
        }
        m.replyTo().tell(new RunOutcome(reports, graph.completedTasks(), graph.skippedTasks(), earlyDispatches));
        earlyDispatches = 0;
        graph.reset();
        pools.values().forEach(WorkerPool::clearAffinity);
        epoch++;
        return this;
    }

    private void onConsumed(int slot, boolean failed) {
        released.add(slot);
        if (failed) {
            releasedFailed.add(slot);
        }
        if (!flushScheduled) {
            flushScheduled = true;
            getContext().getSelf().tell(new FlushReleases());
        }
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
            }
            refs.get(worker).tell(new WorkerDispatch(s.slot(), member, s.callable(), s.args(member), s.config(),
                    epoch, after, doneAdapter));
        }

        @Override
        public int affineWorker(SlotState s) {
            return graph.affineWorker(s);
        }
    }

    private static String workerName(WorkerKind kind, int index) {
        return (kind == WorkerKind.CHIP ? "chip " : "sub worker ") + index;
    }

    /** The name users see for a callable: its registered chip name, or {@code sub#<id>}. */
    private String callableName(WorkerKind kind, long callable) {
        if (kind == WorkerKind.CHIP) {
            return chipNames.getOrDefault(callable, "chip#" + callable);
        }
        return "sub#" + callable;
    }
}
