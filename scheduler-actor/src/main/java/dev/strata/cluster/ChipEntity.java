package dev.strata.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.CborSerializable;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.trace.RunTrace;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One chip worker of a cluster head, as a Cluster Sharding entity on a worker node: it receives a task with the
 * bytes of its tensors ({@link Run}), has its {@link NodeChip} run it on {@code executor} (the node's dedicated
 * dispatcher for user code, never this actor's thread) and answers {@link Ran} with the bytes of the tensors the task
 * may write ({@link ShippingPlan}; small ones inline, large ones streamed, {@link TensorTransfer}).
 * The head's {@link RemoteChip} sends one task at a time per entity and waits for the answer (re-sending it after
 * a node loss, see {@link #create}).
 */
public final class ChipEntity {
    /** Messages a chip entity understands. */
    public interface Command extends CborSerializable {
    }

    /**
     * Run one task (or group member) here. Made afresh for each attempt: streamed bytes can be read once.
     *
     * @param dispatch     the head's id of this dispatch, unique per head: answered in {@link Ran#dispatch()}; the
     *                     entity runs one id from one head once, however often it arrives (the head re-sends)
     * @param callableName the kernel's registered name (for errors)
     * @param kernelClass  the kernel's class name, made on this node by name
     * @param args         the task's args with the head's addresses; the node runs them on copies in its memory
     * @param plan         the distinct tensors (the head's addresses) and which way each one's bytes travel
     * @param in           the bytes of the plan's {@link ShippingPlan#in() in} tensors, in plan order
     * @param config       the launch configuration
     * @param groupIndex   member index in a group, 0 for single tasks
     * @param kernelClasses the head's chip kernel classes, index = callable id (it holds {@code kernelClass}): a
     *                      node in PROCESS mode starts its chip's child JVM with all of them, so that one child
     *                      serves every kernel of the head
     * @param replyTo      where {@link Ran} goes
     * @param engine       for an engine entity (level 4 and above): the engine that runs the orch fn
     *                     {@code kernelClass} ({@code kernelClasses} then being the head's orch fn classes); null for
     *                     a chip entity
     */
    public record Run(long dispatch, String callableName, String kernelClass, TaskArgsSnapshot args,
                      ShippingPlan plan, TensorBytes in, CallConfig config, int groupIndex,
                      List<String> kernelClasses, ActorRef<Ran> replyTo,
                      @JsonInclude(JsonInclude.Include.NON_NULL) EngineSetup engine)
            implements Command {
        public Run {
            Objects.requireNonNull(callableName, "callableName");
            Objects.requireNonNull(kernelClass, "kernelClass");
            kernelClasses = List.copyOf(kernelClasses);
            if (!kernelClasses.contains(kernelClass)) {
                throw new IllegalArgumentException("the head's kernel classes " + kernelClasses + " lack "
                        + kernelClass);
            }
            Objects.requireNonNull(plan, "plan");
            Objects.requireNonNull(in, "in");
        }

        /** A chip entity's task. */
        public Run(long dispatch, String callableName, String kernelClass, TaskArgsSnapshot args, ShippingPlan plan,
                   TensorBytes in, CallConfig config, int groupIndex, List<String> kernelClasses,
                   ActorRef<Ran> replyTo) {
            this(dispatch, callableName, kernelClass, args, plan, in, config, groupIndex, kernelClasses, replyTo, null);
        }
    }

    /**
     * What a task did on a node.
     *
     * @param dispatch the id of the {@link Run} this answers
     * @param node     the node's address, {@code pekko://strata@host:port}
     * @param back     the bytes of the plan's {@link ShippingPlan#back() back} tensors after the task, in plan
     *                 order; null with an error
     * @param error    the failure (its message names the node), or null
     * @param below    an engine entity's answer: the trace of the level-3 run that ran the task, on the common clock
     *                 ({@link CommonClock}); null for a chip entity and with an error
     */
    public record Ran(long dispatch, String node, TensorBytes back, TaskError error,
                      @JsonInclude(JsonInclude.Include.NON_NULL) RunTrace below) implements CborSerializable {
        public Ran {
            if ((back == null) == (error == null)) {
                throw new IllegalArgumentException("a task's answer has either its bytes or an error");
            }
        }

        /** An answer without a trace below. */
        public Ran(long dispatch, String node, TensorBytes back, TaskError error) {
            this(dispatch, node, back, error, null);
        }

        /** An answer not yet stamped with its dispatch (what {@link NodeChip} makes; the entity stamps it). */
        public Ran(String node, TensorBytes back, TaskError error) {
            this(0, node, back, error, null);
        }

        /** This answer for dispatch {@code id}. */
        public Ran forDispatch(long id) {
            return new Ran(id, node, back, error, below);
        }
    }

    /** A dispatch as the entity tells it from others: the head's reply address and its id there. */
    private record Received(ActorRef<Ran> replyTo, long dispatch) {
    }

    /**
     * How many dispatches an entity remembers, to ignore a re-sent one: far more than one head re-sends while a
     * task runs (it sends one task at a time per chip), few enough to cost nothing.
     */
    static final int REMEMBERED = 1024;

    private ChipEntity() {
    }

    /**
     * Sends {@code ran} to the head. A task that failed after the entity stopped (its shard handed to another node,
     * or its node leaving: stopping closes the chip's kernels under it) failed for the node's reason, not its own:
     * it is answered as an {@link AttemptLostException}, which the head dispatches again at once.
     */
    private static void answer(Ran ran, ActorRef<Ran> replyTo, AtomicBoolean stopped) {
        if (ran.error() != null && stopped.get() && !AttemptLostException.named(ran.error().exceptionClass())) {
            ran = new Ran(ran.dispatch(), ran.node(), null, new TaskError(AttemptLostException.class.getName(),
                    "its chip entity stopped while the task ran (the chip moved to another node, or this node is"
                    + " leaving): " + ran.error().message(), ran.error().stack()));
        }
        replyTo.tell(ran);
    }

    /**
     * The behaviour of one entity: runs each {@link Run} on {@code chip} on {@code executor}; closes it at stop.
     * A dispatch it has received before (the same id from the same head, re-sent because the head could not know
     * whether the first copy arrived) is ignored: it runs, or ran, already, and its answer goes or went back. A task
     * that fails after the entity stopped is answered as lost ({@link #answer}).
     */
    public static Behavior<Command> create(NodeChip chip, Executor executor) {
        return Behaviors.setup(ctx -> {
            Set<Received> seen = Collections.newSetFromMap(new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Received, Boolean> eldest) {
                    return size() > REMEMBERED;
                }
            });
            AtomicBoolean stopped = new AtomicBoolean();
            return Behaviors.receive(Command.class)
                    .onMessage(Run.class, run -> {
                        if (!seen.add(new Received(run.replyTo(), run.dispatch()))) {
                            ctx.getLog().debug("ignored dispatch {} from {}: received before", run.dispatch(),
                                    run.replyTo());
                            return Behaviors.same();
                        }
                        // Off this actor's thread: a kernel may block for minutes. The reply is sent from there.
                        CompletableFuture.supplyAsync(() -> chip.run(run).forDispatch(run.dispatch()), executor)
                                .thenAccept(ran -> answer(ran, run.replyTo(), stopped));
                        return Behaviors.same();
                    })
                    .onSignal(PostStop.class, s -> {
                        stopped.set(true);
                        chip.close();
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
