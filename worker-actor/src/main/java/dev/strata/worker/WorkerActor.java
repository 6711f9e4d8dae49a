package dev.strata.worker;

import dev.strata.protocol.CborSerializable;
import dev.strata.protocol.TaskError;
import java.time.Duration;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The actor shell of one worker (a simulated chip or a sub worker): runs each {@link WorkerDispatch} on
 * its plain {@link GroupTaskWorker} and answers {@link TaskDone}. It is spawned on the dedicated blocking
 * dispatcher, one thread per worker, so user code never runs on the default dispatcher; dispatches that
 * arrive while a task runs wait in the mailbox (the scheduler bounds how many).
 *
 * <p>A {@link PipelinedWorker} (a remote chip) is not run task by task: each dispatch is started as it arrives
 * (several are in flight at once), the worker is flushed once the dispatches in the mailbox are all started (a
 * self-sent {@link Flush} comes after them), and each task's steps and end come back as messages to this actor.
 * An early dispatch waits here until its producers on this worker have ended ({@link InFlightDispatches}).
 */
public final class WorkerActor extends AbstractBehavior<WorkerActor.Command> {

    /** Messages a worker understands. */
    public interface Command extends CborSerializable {
    }

    /** A pipelined worker's starts so far are to be sent (self-sent: it comes after the dispatches queued now). */
    private record Flush() implements Command, NoSerializationVerificationNeeded {
    }

    /** A step of a pipelined worker's task, to run on this actor's thread (never leaves this JVM). */
    private record Step(Runnable step) implements Command, NoSerializationVerificationNeeded {
    }

    private final WorkerKind kind;
    private final int index;
    private final GroupTaskWorker worker;
    private final PipelinedWorker pipelined; // the worker when it is one, else null
    private final ActorRef<Command> self; // what a task's steps are sent to, from any thread
    private final InFlightDispatches order = new InFlightDispatches();
    private boolean flushAsked;

    /** A worker actor of {@code kind} number {@code index} running tasks on {@code worker}. */
    public static Behavior<Command> create(WorkerKind kind, int index, GroupTaskWorker worker) {
        return Behaviors.setup(ctx -> new WorkerActor(ctx, kind, index, worker));
    }

    private WorkerActor(ActorContext<Command> ctx, WorkerKind kind, int index, GroupTaskWorker worker) {
        super(ctx);
        this.kind = kind;
        this.index = index;
        this.worker = worker;
        this.pipelined = worker instanceof PipelinedWorker p ? p : null;
        this.self = ctx.getSelf();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(WorkerDispatch.class, this::onDispatch)
                .onMessage(Step.class, s -> {
                    s.step().run();
                    return this;
                })
                .onMessage(Flush.class, f -> {
                    flushAsked = false;
                    pipelined.flush();
                    return this;
                })
                .onSignal(PostStop.class, s -> onStop())
                .build();
    }

    private Behavior<Command> onDispatch(WorkerDispatch d) {
        InFlightDispatches.Decision decision = order.arrived(d);
        if (decision == InFlightDispatches.Decision.SKIP) {
            skipped(d);
        } else if (decision == InFlightDispatches.Decision.START) {
            if (pipelined != null) {
                start(d);
            } else {
                runNow(d);
            }
        }
        return this;
    }

    private void skipped(WorkerDispatch d) {
        long now = System.nanoTime();
        d.replyTo().tell(new TaskDone(d.slot(), d.groupIndex(), kind, index, null, true, now, now));
    }

    private void runNow(WorkerDispatch d) {
        TaskError error = null;
        long start = 0;
        boolean started = false;
        try {
            InjectedFault fault = d.fault();
            if (fault != null && fault.delayMillis() > 0) {
                // Held like a slow callable holds this worker's own thread (this actor runs on the user-code
                // dispatcher); the engine's close() stops the hold as it stops a task.
                worker.hold(fault.delayMillis());
            }
            // Two clock reads per task, always: the scheduler's metrics (task duration, dispatch latency) use them.
            start = System.nanoTime();
            started = true;
            if (fault != null && fault.failure() != null) {
                throw new InjectedFaultException(fault.failure());
            }
            worker.run(d.callable(), d.args(), d.config(), d.groupIndex());
        } catch (Throwable t) {
            if (!started) {
                start = System.nanoTime(); // stopped while held by an injected delay
            }
            // Any throwable, errors included: the run must fail cleanly and this worker stay usable.
            error = TaskError.of(t);
        }
        long end = System.nanoTime();
        String warning = worker.takeWarning(); // the tag checker's, when on; taken even after a failure
        order.ended(d.epoch(), d.slot(), error != null);
        d.replyTo().tell(new TaskDone(d.slot(), d.groupIndex(), kind, index, error, false, start, end, warning));
    }

    /** Starts {@code d} on the pipelined worker (after its injected delay, if any); it ends by its {@code done}. */
    private void start(WorkerDispatch d) {
        InjectedFault fault = d.fault();
        if (fault != null && fault.delayMillis() > 0) {
            // Never held on this thread: the worker's other tasks go on meanwhile, as on a node's own chip queue.
            getContext().scheduleOnce(Duration.ofMillis(fault.delayMillis()), self, new Step(() -> begin(d)));
        } else {
            begin(d);
        }
    }

    private void begin(WorkerDispatch d) {
        InFlight task = new InFlight(d, System.nanoTime());
        try {
            if (d.fault() != null && d.fault().failure() != null) {
                throw new InjectedFaultException(d.fault().failure());
            }
            pipelined.start(d.callable(), d.args(), d.config(), d.groupIndex(), task);
        } catch (Throwable t) {
            task.done(t);
        }
        if (!flushAsked) {
            flushAsked = true;
            self.tell(new Flush());
        }
    }

    /** One started dispatch of the pipelined worker. */
    private final class InFlight implements TaskCompletion {
        private final WorkerDispatch dispatch;
        private final long startNanos;
        private boolean ended;

        InFlight(WorkerDispatch dispatch, long startNanos) {
            this.dispatch = dispatch;
            this.startNanos = startNanos;
        }

        @Override
        public void onWorkerThread(Runnable step) {
            self.tell(new Step(step));
        }

        @Override
        public void done(Throwable error) {
            done(error, null);
        }

        @Override
        public void done(Throwable error, String warning) {
            if (ended) {
                return;
            }
            ended = true;
            long end = System.nanoTime();
            WorkerDispatch d = dispatch;
            d.replyTo().tell(new TaskDone(d.slot(), d.groupIndex(), kind, index,
                    error == null ? null : TaskError.of(error), false, startNanos, end, warning));
            for (InFlightDispatches.Released r : order.ended(d.epoch(), d.slot(), error != null)) {
                if (r.decision() == InFlightDispatches.Decision.SKIP) {
                    skipped(r.dispatch());
                } else {
                    start(r.dispatch());
                }
            }
        }
    }

    private Behavior<Command> onStop() {
        worker.close();
        return this;
    }
}
