package dev.strata.worker;

import dev.strata.protocol.CborSerializable;
import dev.strata.protocol.TaskError;
import java.util.HashSet;
import java.util.Set;
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
 */
public final class WorkerActor extends AbstractBehavior<WorkerActor.Command> {

    /** Messages a worker understands. */
    public interface Command extends CborSerializable {
    }

    private final WorkerKind kind;
    private final int index;
    private final GroupTaskWorker worker;
    // Slots of this epoch that failed or were skipped on this worker; usually empty. The worker's own
    // observation, not a copy of the scheduler's: a dispatch queued early behind them (WorkerDispatch.after)
    // must see it before the scheduler has even heard of the failure (docs/ring.md, who knows that a slot
    // failed). Forgotten when the next run's epoch arrives.
    private final Set<Integer> failed = new HashSet<>();
    private int epoch = -1;

    /** A worker actor of {@code kind} number {@code index} running tasks on {@code worker}. */
    public static Behavior<Command> create(WorkerKind kind, int index, GroupTaskWorker worker) {
        return Behaviors.setup(ctx -> new WorkerActor(ctx, kind, index, worker));
    }

    private WorkerActor(ActorContext<Command> ctx, WorkerKind kind, int index, GroupTaskWorker worker) {
        super(ctx);
        this.kind = kind;
        this.index = index;
        this.worker = worker;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(WorkerDispatch.class, this::onDispatch)
                .onSignal(PostStop.class, s -> onStop())
                .build();
    }

    private Behavior<Command> onDispatch(WorkerDispatch d) {
        if (d.epoch() != epoch) {
            epoch = d.epoch();
            failed.clear();
        }
        for (int p : d.after()) {
            if (failed.contains(p)) {
                failed.add(d.slot());
                long now = System.nanoTime();
                d.replyTo().tell(new TaskDone(d.slot(), d.groupIndex(), kind, index, null, true, now, now));
                return this;
            }
        }
        TaskError error = null;
        // Two clock reads per task, always: the scheduler's metrics (task duration, dispatch latency) use them.
        long start = System.nanoTime();
        try {
            worker.run(d.callable(), d.args(), d.config(), d.groupIndex());
        } catch (Throwable t) {
            // Any throwable, errors included: the run must fail cleanly and this worker stay usable.
            error = TaskError.of(t);
            failed.add(d.slot());
        }
        long end = System.nanoTime();
        d.replyTo().tell(new TaskDone(d.slot(), d.groupIndex(), kind, index, error, false, start, end));
        return this;
    }

    private Behavior<Command> onStop() {
        worker.close();
        return this;
    }
}
