package dev.strata.cluster;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.CborSerializable;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One chip worker of a cluster head, as a Cluster Sharding entity on a worker node: it receives a task with the
 * bytes of its tensors ({@link Run}), has its {@link NodeChip} run it on {@code executor} (the node's dedicated
 * dispatcher for user code, never this actor's thread) and answers {@link Ran} with the bytes of the tensors the task
 * may write ({@link ShippingPlan}; small ones inline, large ones streamed, {@link TensorTransfer}).
 * The head's {@link RemoteChip} sends one task at a time per entity and waits for the answer.
 */
public final class ChipEntity {
    /** Messages a chip entity understands. */
    public interface Command extends CborSerializable {
    }

    /**
     * Run one task (or group member) here. Made afresh for each attempt: streamed bytes can be read once.
     *
     * @param callableName the kernel's registered name (for errors)
     * @param kernelClass  the kernel's class name, made on this node by name
     * @param args         the task's args with the head's addresses; the node runs them on copies in its memory
     * @param plan         the distinct tensors (the head's addresses) and which way each one's bytes travel
     * @param in           the bytes of the plan's {@link ShippingPlan#in() in} tensors, in plan order
     * @param config       the launch configuration
     * @param groupIndex   member index in a group, 0 for single tasks
     * @param replyTo      where {@link Ran} goes
     */
    public record Run(String callableName, String kernelClass, TaskArgsSnapshot args, ShippingPlan plan,
                      TensorBytes in, CallConfig config, int groupIndex, ActorRef<Ran> replyTo)
            implements Command {
        public Run {
            Objects.requireNonNull(callableName, "callableName");
            Objects.requireNonNull(kernelClass, "kernelClass");
            Objects.requireNonNull(plan, "plan");
            Objects.requireNonNull(in, "in");
        }
    }

    /**
     * What a task did on a node.
     *
     * @param node  the node's address, {@code pekko://strata@host:port}
     * @param back  the bytes of the plan's {@link ShippingPlan#back() back} tensors after the task, in plan order;
     *              null with an error
     * @param error the failure (its message names the node), or null
     */
    public record Ran(String node, TensorBytes back, TaskError error) implements CborSerializable {
        public Ran {
            if ((back == null) == (error == null)) {
                throw new IllegalArgumentException("a task's answer has either its bytes or an error");
            }
        }
    }

    private ChipEntity() {
    }

    /** The behaviour of one entity: runs each {@link Run} on {@code chip} on {@code executor}; closes it at stop. */
    public static Behavior<Command> create(NodeChip chip, Executor executor) {
        return Behaviors.receive(Command.class)
                .onMessage(Run.class, run -> {
                    // Off this actor's thread: a kernel may block for minutes. The reply is sent from there.
                    CompletableFuture.supplyAsync(() -> chip.run(run), executor)
                            .thenAccept(run.replyTo()::tell);
                    return Behaviors.same();
                })
                .onSignal(PostStop.class, s -> {
                    chip.close();
                    return Behaviors.same();
                })
                .build();
    }
}
