package dev.strata.cluster;

import dev.strata.config.ClusterSettings;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorMemory;
import dev.strata.worker.PipelinedWorker;
import dev.strata.worker.TaskCompletion;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chip worker of a cluster head whose tasks run on a chip entity on a worker node. To the scheduler it is a worker
 * like any other, with a queue of dispatches; unlike a local chip it keeps several of them in flight at once
 * ({@link PipelinedWorker}): its worker actor starts each task as it arrives, and the tasks started together go to
 * the entity in one message ({@link ChipEntity.RunBatch}) when the actor flushes. Each task ships the bytes of the
 * tensors its kernel may read, as its tags say ({@link ShippingPlan}; inline when small, streamed when large,
 * {@link TensorTransfer}), waits up to {@code strata.cluster.task-timeout} for its answer (dispatching it again after
 * its node is lost, that time is up, or the attempt or its results are lost, see {@link Attempts}), and writes the
 * bytes of the tensors the task may write into this head's memory, on the worker actor's thread, before it reports
 * the task done — so before any dependent can read them. A task's inputs are read when it starts, and its worker
 * actor starts an early dispatch queued behind producers on this chip only after those ended: it ships their
 * results, never stale bytes.
 */
public final class RemoteChip implements PipelinedWorker {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteChip.class);
    private static final Runnable NOTHING = () -> { };

    private final int chipIndex;
    private final List<String> kernelNames;
    private final List<String> kernelClasses;
    private final EngineSetup engine;
    private final TensorMemory memory;
    private final Attempts attempts;
    private final PendingDispatches pending;
    private final ActorRef<ChipEntity.RanBatch> replyTo;
    private final Consumer<ChipEntity.Command> entity;
    private final NodeTaskCounts counts;
    private final TensorTransfer transfer;
    private final Timers timers;
    private final boolean checkTags;
    private String warning; // run()'s last task's tag-check warning, until taken
    // Tasks started and not ended, for close(); any thread.
    private final Set<Remote> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    // First attempts started since the last flush; the worker's thread only.
    private List<ChipEntity.Task> unsent = new ArrayList<>();

    /**
     * How a remote task is attempted: each attempt waits up to {@code taskTimeout}; after a failed attempt (node
     * lost, no answer in time, results lost on the way back, or an {@link AttemptLostException} from the node) the
     * task is dispatched again, at most {@code maxRetries} times. An attempt after a
     * failed one is re-sent (same dispatch) after {@code firstResend}, then twice as long each time up to
     * {@code maxResend}, until answered: right after a node is removed, the head's sharding proxy may still route a
     * message to the dead node's region, where it is lost; the entity runs a dispatch once however often it comes.
     */
    public record Attempts(Duration taskTimeout, int maxRetries, Duration firstResend, Duration maxResend) {
        /** {@code strata.cluster.task-timeout} and {@code max-task-retries}; re-sends after 0.5 s, up to 4 s. */
        public static Attempts of(ClusterSettings settings) {
            return new Attempts(settings.taskTimeout(), settings.maxTaskRetries(), Duration.ofMillis(500),
                    Duration.ofSeconds(4));
        }
    }

    /** Runs actions later: a task's timeout and re-sends. */
    @FunctionalInterface
    public interface Timers {
        /** Runs {@code action} (briefly, on any thread) after {@code delay}; returns what cancels it. */
        Runnable schedule(Duration delay, Runnable action);
    }

    /**
     * Chip {@code chipIndex}, whose kernels (index = callable id) are named {@code kernelNames} and made on the nodes
     * from {@code kernelClasses} — or, for an engine entity (level 4), whose orch fns are, run on the engine
     * {@code engine} describes (null for a chip); tensors are read from and written to {@code memory}, their bytes travel with
     * {@code transfer}; each task is a dispatch of {@code pending}, sent to the chip's entity by {@code entity}
     * ({@code EntityRef::tell}) with the answers going to {@code replyTo} (the head's {@link DispatchDelivery}),
     * attempted as {@code attempts} says, timed by {@code timers}; each answer counts one task, and the bytes
     * shipped each way, for its node in {@code counts}, each retry one for the node that lost it, and an engine's
     * answer its level-3 run's trace.
     */
    public RemoteChip(int chipIndex, List<String> kernelNames, List<String> kernelClasses, EngineSetup engine,
                      TensorMemory memory, Attempts attempts, PendingDispatches pending,
                      ActorRef<ChipEntity.RanBatch> replyTo,
                      Consumer<ChipEntity.Command> entity, NodeTaskCounts counts, TensorTransfer transfer,
                      Timers timers) {
        this(chipIndex, kernelNames, kernelClasses, engine, memory, attempts, pending, replyTo, entity, counts, transfer,
                timers, false);
    }

    /**
     * As above, with the head's tag checker {@code checkTags} ({@code strata.check.tags}) on or off: when on, each task
     * goes with its tags and the node checks it where its kernel runs; its warning comes back with the answer.
     */
    public RemoteChip(int chipIndex, List<String> kernelNames, List<String> kernelClasses, EngineSetup engine,
                      TensorMemory memory, Attempts attempts, PendingDispatches pending,
                      ActorRef<ChipEntity.RanBatch> replyTo,
                      Consumer<ChipEntity.Command> entity, NodeTaskCounts counts, TensorTransfer transfer,
                      Timers timers, boolean checkTags) {
        this.checkTags = checkTags;
        this.chipIndex = chipIndex;
        this.kernelNames = List.copyOf(kernelNames);
        this.kernelClasses = List.copyOf(kernelClasses);
        this.engine = engine;
        this.memory = memory;
        this.attempts = attempts;
        this.pending = pending;
        this.replyTo = replyTo;
        this.entity = entity;
        this.counts = counts;
        this.transfer = transfer;
        this.timers = timers;
    }

    @Override
    public void start(long callable, TaskArgsView args, CallConfig config, int groupIndex,
                      TaskCompletion completion) {
        begin(callable, args, config, groupIndex, completion);
    }

    private Remote begin(long callable, TaskArgsView args, CallConfig config, int groupIndex,
                         TaskCompletion completion) {
        if (closed) {
            throw new CancellationException("the engine is closing: task not started");
        }
        if (callable < 0 || callable >= kernelNames.size()) {
            throw new IllegalArgumentException("unknown " + callableWhat() + " id " + callable + " on " + what() + " "
                    + chipIndex + " (registered: " + kernelNames.size() + ")");
        }
        String name = kernelNames.get((int) callable);
        ShippingPlan plan = ShippingPlan.of(args);
        // The tags travel only for the node's tag checker: the plan says which bytes go where.
        TaskArgsSnapshot snapshot = checkTags ? TaskArgsSnapshot.of(args) : TaskArgsSnapshot.of(args).withoutTags();
        // Called once per attempt and re-send: each gets its own stream of the inputs, read from this head's memory.
        LongFunction<ChipEntity.Task> message = dispatch -> new ChipEntity.Task(dispatch, name, (int) callable,
                snapshot, plan, transfer.send(buffers(plan.in()), () -> { }), config, groupIndex);
        Remote task = new Remote(name, plan, message, completion);
        inFlight.add(task);
        try {
            task.attempt(unsent::add); // the first attempt goes with the others started before the next flush
        } catch (RuntimeException e) {
            inFlight.remove(task);
            throw e;
        }
        return task;
    }

    @Override
    public String takeWarning() {
        String w = warning;
        warning = null;
        return w;
    }

    @Override
    public void flush() {
        if (!unsent.isEmpty()) {
            List<ChipEntity.Task> tasks = unsent;
            unsent = new ArrayList<>();
            for (List<ChipEntity.Task> batch : BatchCodec.split(tasks, BatchCodec::weight)) {
                entity.accept(ChipEntity.RunBatch.of(replyTo, kernelClasses, engine, batch, checkTags));
            }
        }
    }

    /** Sends one task's message at once (a retry or a re-send). */
    private void sendNow(ChipEntity.Task task) {
        entity.accept(ChipEntity.RunBatch.of(replyTo, kernelClasses, engine, List.of(task), checkTags));
    }

    /**
     * Runs one task and waits for its end on the calling thread (the steps a worker actor would run, run here);
     * an interrupt gives the task up.
     */
    @Override
    public void run(long callable, TaskArgsView args, CallConfig config, int groupIndex) throws Exception {
        BlockingQueue<Runnable> steps = new LinkedBlockingQueue<>();
        Throwable[] failure = new Throwable[1];
        boolean[] ended = new boolean[1];
        Remote task = begin(callable, args, config, groupIndex, new TaskCompletion() {
            @Override
            public void onWorkerThread(Runnable step) {
                steps.add(step);
            }

            @Override
            public void done(Throwable error) {
                done(error, null);
            }

            @Override
            public void done(Throwable error, String warned) {
                ended[0] = true;
                failure[0] = error;
                warning = warned;
            }
        });
        flush();
        try {
            while (!ended[0]) {
                steps.take().run();
            }
        } catch (InterruptedException e) {
            task.giveUp();
            task.end(e);
            throw e;
        }
        if (failure[0] instanceof Exception e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
    }

    /**
     * Refuses later tasks and ends every task in flight with a {@link CancellationException} (the engine is closing);
     * their answers are ignored. Any thread; idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (Remote task : inFlight) {
            task.giveUp();
            task.completion.onWorkerThread(() -> task.end(new CancellationException(
                    "the engine is closing: " + callableWhat() + " task '" + task.name + "' on " + what() + " "
                    + chipIndex + " given up")));
        }
    }

    /** What this worker is in messages: a chip, or (level 4) an engine. */
    private String what() {
        return engine == null ? "chip" : "engine";
    }

    /** What its tasks run: a chip kernel, or (level 4) an orch fn. */
    private String callableWhat() {
        return engine == null ? "chip kernel" : "orch fn";
    }

    /**
     * Keeps the level-3 run an engine's accepted answer carries, on this head's clock, for the run's trace; a trace
     * that does not arrive is logged and left out (the task itself succeeded).
     */
    private void belowOf(ChipEntity.Ran ran) {
        try {
            counts.ranBelow(chipIndex, ran.node(), CommonClock.toLocal(TraceBytes.read(transfer, ran.below())));
        } catch (Exception e) {
            LOG.warn("engine {}: the level-3 trace of a task from {} did not arrive: {}", chipIndex, ran.node(),
                    e.toString());
        }
    }

    private List<ByteBuffer> buffers(List<ContinuousTensor> tensors) {
        List<ByteBuffer> buffers = new ArrayList<>(tensors.size());
        for (ContinuousTensor t : tensors) {
            buffers.add(memory.bytes(t));
        }
        return buffers;
    }

    private static List<String> numbered(List<String> failed) {
        if (failed.size() == 1) {
            return failed;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < failed.size(); i++) {
            out.add("attempt " + (i + 1) + " " + failed.get(i));
        }
        return out;
    }

    /**
     * One task's attempts until one is answered and its results are in this head's memory (see {@link Attempts}).
     * Its steps run on the worker's thread; timers and answers hand them there through the task's completion. The
     * task ends with the first failure that has no retry left, as the exception it fails with:
     * {@link NodeLostException} (the last attempt was lost with its node, named), {@link TimeoutException} (no
     * answer in time), {@link TensorTransfer.TransferException} (its results were lost),
     * {@link AttemptLostException} (it did not run to its end on its node), {@link NoWorkerNodeException} (no worker
     * node reachable for the no-worker timeout, never retried), or the kernel's own failure (never retried).
     */
    private final class Remote {
        private final String name;
        private final ShippingPlan plan;
        private final List<ContinuousTensor> back; // the plan's, computed once
        private final LongFunction<ChipEntity.Task> message;
        private final TaskCompletion completion;
        private final List<String> failed = new ArrayList<>();
        // How the last failed attempt failed, as the exception the task fails with when no retry is left.
        private Function<String, Exception> lastFailure = TimeoutException::new;
        private int attempt = -1;
        private volatile PendingDispatches.Dispatch current;
        private Runnable cancelTimeout = NOTHING;
        private Runnable cancelResend = NOTHING;
        private long resendAfterNanos;
        private boolean ended;

        Remote(String name, ShippingPlan plan, LongFunction<ChipEntity.Task> message, TaskCompletion completion) {
            this.name = name;
            this.plan = plan;
            this.back = plan.back();
            this.message = message;
            this.completion = completion;
        }

        /** Dispatches the next attempt with {@code send}; its answer, or its timeout, comes back as a step. */
        void attempt(Consumer<ChipEntity.Task> send) {
            attempt++;
            PendingDispatches.Dispatch d = pending.open(chipIndex);
            current = d;
            // Re-sent until answered when a message may be lost on its way: after a failed attempt, or when the
            // chip's node was removed since its last answer.
            boolean resend = attempt > 0 || pending.displaced(chipIndex);
            send.accept(message.apply(d.id()));
            cancelTimeout = timers.schedule(attempts.taskTimeout(), () -> pending.expire(d.id()));
            if (resend) {
                resendAfterNanos = attempts.firstResend().toNanos();
                scheduleResend(d);
            }
            d.answer().whenComplete((ran, e) -> completion.onWorkerThread(() -> answered(d, ran, e)));
        }

        private void scheduleResend(PendingDispatches.Dispatch d) {
            cancelResend = timers.schedule(Duration.ofNanos(resendAfterNanos),
                    () -> completion.onWorkerThread(() -> resend(d)));
        }

        /**
         * A fresh message of the same dispatch: a stream of inputs not read within its subscription timeout has
         * ended, and the entity runs one of the copies of this dispatch at most (the others' streams end unread).
         */
        private void resend(PendingDispatches.Dispatch d) {
            if (ended || d != current || d.answer().isDone()) {
                return;
            }
            sendNow(message.apply(d.id()));
            resendAfterNanos = Math.min(resendAfterNanos * 2, attempts.maxResend().toNanos());
            scheduleResend(d);
        }

        /** Attempt {@code d} ended: answered ({@code ran}), timed out (null) or failed ({@code error}). */
        private void answered(PendingDispatches.Dispatch d, ChipEntity.Ran ran, Throwable error) {
            if (ended || d != current) {
                return;
            }
            cancelTimeout.run();
            cancelResend.run();
            pending.close(d.id());
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                if (cause instanceof NodeLostException lost) {
                    lastFailure = what -> new NodeLostException(lost.node(), what);
                    failed.add(lost.getMessage());
                    retryOrFail(lost.node());
                } else {
                    end(cause);
                }
                return;
            }
            if (ran == null) {
                String node = pending.nodeOf(chipIndex);
                lastFailure = TimeoutException::new;
                failed.add("no answer within " + HeadJoin.seconds(attempts.taskTimeout())
                        + " (strata.cluster.task-timeout) from " + (node == null ? "its worker node" : node)
                        + ", which may be lost or still running it");
                retryOrFail(node);
                return;
            }
            if (ran.error() != null && AttemptLostException.named(ran.error().exceptionClass())) {
                lastFailure = AttemptLostException::new;
                failed.add("did not run to its end on worker node " + ran.node() + ": " + ran.error().message());
                retryOrFail(ran.node());
                return;
            }
            if (ran.error() != null) {
                counts.ran(chipIndex, ran.node()); // a task that failed there ran there too
                end(ran.error().toException()); // the kernel's own failure: never retried
                return;
            }
            try {
                // Only the accepted answer is written, and only once all its bytes are here: a stream lost half-way
                // (its node died) leaves this head's memory as it was, for the retry to read.
                transfer.writeWhenAllArrived(ran.back(), buffers(back));
            } catch (TensorTransfer.TransferException | TimeoutException e) {
                lastFailure = TensorTransfer.TransferException::new;
                failed.add("ran on worker node " + ran.node() + " but its results did not come back: "
                        + e.getMessage());
                retryOrFail(ran.node());
                return;
            } catch (Exception e) {
                end(e);
                return;
            }
            counts.ran(chipIndex, ran.node());
            counts.shipped(ran.node(), plan.inBytes(), ShippingPlan.bytes(back));
            if (ran.below() != null) {
                belowOf(ran);
            }
            end(null, ran.warning());
        }

        /** Dispatches the task again after a failed attempt (logged and counted for {@code node}), or fails it. */
        private void retryOrFail(String node) {
            if (attempt < attempts.maxRetries()) {
                counts.retried(chipIndex, node);
                LOG.warn("{} {}: attempt {} of task '{}' failed ({}); dispatching it again (retry {} of {})",
                        what(), chipIndex, attempt + 1, name, failed.get(failed.size() - 1), attempt + 1,
                        attempts.maxRetries());
                attempt(RemoteChip.this::sendNow);
                return;
            }
            end(lastFailure.apply(callableWhat() + " '" + name + "' on " + what() + " " + chipIndex
                    + (failed.size() == 1 ? ": "
                    : " failed " + failed.size() + " attempts (strata.cluster.max-task-retries = "
                    + attempts.maxRetries() + "): ") + String.join("; ", numbered(failed))));
        }

        /** Gives the current attempt up (its answer will be ignored); any thread. */
        void giveUp() {
            PendingDispatches.Dispatch d = current;
            if (d != null) {
                pending.close(d.id());
            }
        }

        void end(Throwable error) {
            end(error, null);
        }

        /** The task ended, with the node's tag-check {@code warning} (or null) when it succeeded. */
        void end(Throwable error, String warning) {
            if (ended) {
                return;
            }
            ended = true;
            cancelTimeout.run();
            cancelResend.run();
            inFlight.remove(this);
            completion.done(error, warning);
        }
    }
}
