package dev.strata.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.CborSerializable;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.util.ByteString;

/**
 * One chip worker of a cluster head, as a Cluster Sharding entity on a worker node: it receives tasks with the bytes
 * of their tensors ({@link RunBatch}, or one {@link Run}), has its {@link NodeChip} run them one after the other on
 * {@code executor} (the node's dedicated dispatcher for user code, never this actor's thread) and answers with the
 * bytes of the tensors each task may write ({@link RanBatch}, or one {@link Ran}; {@link ShippingPlan}; small ones
 * inline, large ones streamed, {@link TensorTransfer}). The head's {@link RemoteChip} keeps several tasks in flight
 * per entity and sends the ones started together in one batch (re-sending a dispatch after a node loss, see
 * {@link #create}).
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
     * @param replyTo      where {@link Ran} goes; null for a task of a {@link RunBatch}, answered to the batch's
     * @param engine       for an engine entity (level 4 and above): the engine that runs the orch fn
     *                     {@code kernelClass} ({@code kernelClasses} then being the head's orch fn classes); null for
     *                     a chip entity
     * @param checkTags    the head's tag checker ({@code strata.check.tags}) is on: the node checks the task's INPUT and
     *                     NO_DEP tensors around its kernel ({@code args} then carries the tags)
     */
    public record Run(long dispatch, String callableName, String kernelClass, TaskArgsSnapshot args,
                      ShippingPlan plan, TensorBytes in, CallConfig config, int groupIndex,
                      List<String> kernelClasses, ActorRef<Ran> replyTo,
                      @JsonInclude(JsonInclude.Include.NON_NULL) EngineSetup engine, boolean checkTags)
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

        /** A task without the tag checker. */
        public Run(long dispatch, String callableName, String kernelClass, TaskArgsSnapshot args, ShippingPlan plan,
                   TensorBytes in, CallConfig config, int groupIndex, List<String> kernelClasses,
                   ActorRef<Ran> replyTo, EngineSetup engine) {
            this(dispatch, callableName, kernelClass, args, plan, in, config, groupIndex, kernelClasses, replyTo, engine,
                    false);
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
     *                 ({@link CommonClock}), as bytes ({@link TraceBytes}); null for a chip entity, with an error, or
     *                 when the head does not trace
     * @param warning  the tag checker's warning (the task wrote a tensor it tagged NO_DEP), or null
     */
    public record Ran(long dispatch, String node, TensorBytes back, TaskError error,
                      @JsonInclude(JsonInclude.Include.NON_NULL) TensorBytes below,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String warning) implements CborSerializable {
        public Ran {
            if ((back == null) == (error == null)) {
                throw new IllegalArgumentException("a task's answer has either its bytes or an error");
            }
        }

        /** An answer without a warning. */
        public Ran(long dispatch, String node, TensorBytes back, TaskError error, TensorBytes below) {
            this(dispatch, node, back, error, below, null);
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
            return new Ran(id, node, back, error, below, warning);
        }
    }

    /**
     * Several tasks for this entity, started together on the head: one message for all of them, in a compact form
     * ({@link BatchCodec}: the tasks packed into {@code tasks}, the streams of their large inputs beside them). The
     * entity runs them in order and answers them in one {@link RanBatch} (or several, when their inline bytes
     * would not fit one message). The head cuts its batches to fit too ({@link BatchCodec#split}).
     *
     * @param replyTo       where the {@link RanBatch} goes (the head's {@link DispatchDelivery})
     * @param kernelClasses the head's chip kernel classes, index = callable id (see {@link Run#kernelClasses()})
     * @param tasks         the tasks, in the order the head started them, packed
     * @param streams       the streams of the tasks' streamed inputs, indexed from {@code tasks}
     * @param engine        for an engine entity (level 4): the engine its tasks run on ({@link Run#engine()}); null
     *                      for a chip entity
     * @param checkTags     the head's tag checker is on ({@link Run#checkTags()}), for every task of the batch
     */
    public record RunBatch(ActorRef<RanBatch> replyTo, List<String> kernelClasses, byte[] tasks,
                           List<SourceRef<ByteString>> streams,
                           @JsonInclude(JsonInclude.Include.NON_NULL) EngineSetup engine, boolean checkTags)
            implements Command {
        public RunBatch {
            kernelClasses = List.copyOf(kernelClasses);
            Objects.requireNonNull(tasks, "tasks");
            streams = List.copyOf(streams);
        }

        /** A batch without the tag checker. */
        public RunBatch(ActorRef<RanBatch> replyTo, List<String> kernelClasses, byte[] tasks,
                        List<SourceRef<ByteString>> streams, EngineSetup engine) {
            this(replyTo, kernelClasses, tasks, streams, engine, false);
        }

        /** A batch of {@code tasks} (in order) for a chip or ({@code engine} not null) an engine, to {@code replyTo}. */
        public static RunBatch of(ActorRef<RanBatch> replyTo, List<String> kernelClasses, EngineSetup engine,
                                  List<Task> tasks) {
            return of(replyTo, kernelClasses, engine, tasks, false);
        }

        /** As above, with the head's tag checker {@code checkTags} on or off. */
        public static RunBatch of(ActorRef<RanBatch> replyTo, List<String> kernelClasses, EngineSetup engine,
                                  List<Task> tasks, boolean checkTags) {
            List<SourceRef<ByteString>> streams = new ArrayList<>();
            byte[] packed = BatchCodec.encodeTasks(tasks, streams);
            return new RunBatch(replyTo, kernelClasses, packed, streams, engine, checkTags);
        }

        /** The batch's tasks as the {@link Run}s a {@link NodeChip} runs (their answers go with the batch's). */
        public List<Run> runs() {
            List<Run> runs = new ArrayList<>();
            for (Task t : BatchCodec.decodeTasks(tasks, streams)) {
                runs.add(new Run(t.dispatch(), t.callableName(), kernelClasses.get(t.callable()), t.args(), t.plan(),
                        t.in(), t.config(), t.groupIndex(), kernelClasses, null, engine, checkTags));
            }
            return runs;
        }
    }

    /**
     * One task of a {@link RunBatch}: a {@link Run} without what the batch says once.
     *
     * @param callable the callable id, the index of its kernel class in the batch's {@code kernelClasses}
     */
    public record Task(long dispatch, String callableName, int callable, TaskArgsSnapshot args, ShippingPlan plan,
                       TensorBytes in, CallConfig config, int groupIndex) {
        public Task {
            Objects.requireNonNull(callableName, "callableName");
            Objects.requireNonNull(plan, "plan");
            Objects.requireNonNull(in, "in");
        }
    }

    /**
     * The answers of one {@link RunBatch}'s tasks from one node, in its order, in a compact form ({@link BatchCodec}).
     *
     * @param node    the node's address, {@code pekko://strata@host:port}
     * @param encoded the answers packed (each names its dispatch)
     * @param streams the streams of the answers' streamed bytes, indexed from {@code encoded}
     * @param errors  the answers' failures, indexed from {@code encoded}
     */
    public record RanBatch(String node, byte[] encoded, List<SourceRef<ByteString>> streams, List<TaskError> errors)
            implements CborSerializable {
        public RanBatch {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(encoded, "encoded");
            streams = List.copyOf(streams);
            errors = List.copyOf(errors);
        }

        /** The batch of {@code answers}, all from one node. */
        public static RanBatch of(List<Ran> answers) {
            if (answers.isEmpty()) {
                throw new IllegalArgumentException("a batch of answers has at least one");
            }
            String node = answers.get(0).node();
            for (Ran r : answers) {
                if (!r.node().equals(node)) {
                    throw new IllegalArgumentException("answers from " + node + " and " + r.node() + " in one batch");
                }
            }
            List<SourceRef<ByteString>> streams = new ArrayList<>();
            List<TaskError> errors = new ArrayList<>();
            byte[] encoded = BatchCodec.encodeAnswers(answers, streams, errors);
            return new RanBatch(node, encoded, streams, errors);
        }

        /** The answers, in order. */
        public List<Ran> answers() {
            return BatchCodec.decodeAnswers(node, encoded, streams, errors);
        }
    }

    /** A dispatch as the entity tells it from others: the head's reply address and its id there. */
    private record Received(ActorRef<?> replyTo, long dispatch) {
    }

    /**
     * How many dispatches an entity remembers, to ignore a re-sent one: far more than one head re-sends while a
     * task runs (it keeps at most its queue depth of tasks in flight per chip), few enough to cost nothing.
     */
    static final int REMEMBERED = 1024;

    private ChipEntity() {
    }

    /**
     * Sends {@code ran} to the head. A task that failed after the entity stopped (its shard handed to another node,
     * or its node leaving: stopping closes the chip's kernels under it) failed for the node's reason, not its own:
     * it is answered as an {@link AttemptLostException}, which the head dispatches again at once.
     */
    private static Ran answer(Ran ran, AtomicBoolean stopped) {
        if (ran.error() != null && stopped.get() && !AttemptLostException.named(ran.error().exceptionClass())) {
            return new Ran(ran.dispatch(), ran.node(), null, new TaskError(AttemptLostException.class.getName(),
                    "its chip entity stopped while the task ran (the chip moved to another node, or this node is"
                    + " leaving): " + ran.error().message(), ran.error().stack()));
        }
        return ran;
    }

    /**
     * The behaviour of one entity: runs each task on {@code chip} on {@code executor}, one after the other in the
     * order they arrived ({@link ChipQueue}: a chip runs one task at a time, as on a single node, but a task stuck
     * longer than the node's task-timeout does not hold up the next); closes it at stop. A dispatch it has
     * received before (the same id from the same head, re-sent because the head could not know whether the first
     * copy arrived) is ignored: it runs, or ran, already, and its answer goes or went back. A task that fails after
     * the entity stopped is answered as lost ({@link #answer}).
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
            ChipQueue queue = new ChipQueue(executor, chip.taskTimeout());
            return Behaviors.receive(Command.class)
                    .onMessage(Run.class, run -> {
                        if (!seen.add(new Received(run.replyTo(), run.dispatch()))) {
                            ctx.getLog().debug("ignored dispatch {} from {}: received before", run.dispatch(),
                                    run.replyTo());
                            return Behaviors.same();
                        }
                        // Off this actor's thread: a kernel may block for minutes. The reply is sent from there.
                        queue.submit(() -> run.replyTo().tell(
                                answer(chip.run(run).forDispatch(run.dispatch()), stopped)));
                        return Behaviors.same();
                    })
                    .onMessage(RunBatch.class, batch -> {
                        List<Run> runs;
                        try {
                            runs = batch.runs();
                        } catch (RuntimeException e) {
                            // A peer's bug: its tasks time out on the head and are dispatched again.
                            ctx.getLog().error("ignored a batch of tasks from {} that does not decode: {}",
                                    batch.replyTo(), e.toString());
                            return Behaviors.same();
                        }
                        List<Run> fresh = new ArrayList<>(runs.size());
                        for (Run run : runs) {
                            if (seen.add(new Received(batch.replyTo(), run.dispatch()))) {
                                fresh.add(run);
                            } else {
                                ctx.getLog().debug("ignored dispatch {} from {}: received before", run.dispatch(),
                                        batch.replyTo());
                            }
                        }
                        if (!fresh.isEmpty()) {
                            queue.submit(() -> {
                                List<Ran> answers = new ArrayList<>(fresh.size());
                                for (Run run : fresh) {
                                    answers.add(answer(chip.run(run).forDispatch(run.dispatch()), stopped));
                                }
                                for (List<Ran> part : BatchCodec.split(answers, BatchCodec::weight)) {
                                    batch.replyTo().tell(RanBatch.of(part));
                                }
                            });
                        }
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
