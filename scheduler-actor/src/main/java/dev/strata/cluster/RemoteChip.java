package dev.strata.cluster;

import dev.strata.config.ClusterSettings;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorMemory;
import dev.strata.worker.GroupTaskWorker;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A chip worker of a cluster head whose tasks run on a chip entity on a worker node: to the scheduler it is a
 * worker like any other (one task at a time, on its worker actor's thread). Each task ships the bytes of the tensors
 * its kernel may read, as its tags say ({@link ShippingPlan}; inline when small, streamed when large,
 * {@link TensorTransfer}), waits up to {@code strata.cluster.task-timeout} for the answer (dispatching it again
 * after its node is lost, that time is up, or the attempt or its results are lost, see {@link Attempts}), and writes
 * the bytes of the tensors the task may write into this head's memory before it returns — so before its worker
 * actor reports the task done and any dependent can read them. Because a task's inputs are read here, when it runs,
 * and not when it was dispatched, an early dispatch queued behind its producers on this worker ships their results,
 * never stale bytes.
 */
public final class RemoteChip implements GroupTaskWorker {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteChip.class);

    private final int chipIndex;
    private final List<String> kernelNames;
    private final List<String> kernelClasses;
    private final EngineSetup engine;
    private final TensorMemory memory;
    private final Attempts attempts;
    private final PendingDispatches pending;
    private final ActorRef<ChipEntity.Ran> replyTo;
    private final Consumer<ChipEntity.Command> entity;
    private final NodeTaskCounts counts;
    private final TensorTransfer transfer;

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

    /**
     * Chip {@code chipIndex}, whose kernels (index = callable id) are named {@code kernelNames} and made on the nodes
     * from {@code kernelClasses} — or, for an engine entity (level 4), whose orch fns are, run on the engine
     * {@code engine} describes (null for a chip); tensors are read from and written to {@code memory}, their bytes travel with
     * {@code transfer}; each task is a dispatch of {@code pending}, sent to the chip's entity by {@code entity}
     * ({@code EntityRef::tell}) with the answer going to {@code replyTo} (the head's {@link DispatchDelivery}),
     * attempted as {@code attempts} says; each answer counts one task, and the bytes shipped each way, for its node
     * in {@code counts}, each retry one for the node that lost it, and an engine's answer its level-3 run's trace.
     */
    public RemoteChip(int chipIndex, List<String> kernelNames, List<String> kernelClasses, EngineSetup engine,
                      TensorMemory memory, Attempts attempts, PendingDispatches pending, ActorRef<ChipEntity.Ran> replyTo,
                      Consumer<ChipEntity.Command> entity, NodeTaskCounts counts, TensorTransfer transfer) {
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
    }

    @Override
    public void run(long callable, TaskArgsView args, CallConfig config, int groupIndex) throws Exception {
        if (callable < 0 || callable >= kernelNames.size()) {
            throw new IllegalArgumentException("unknown chip callable id " + callable + " on chip " + chipIndex
                    + " (registered: " + kernelNames.size() + ")");
        }
        String name = kernelNames.get((int) callable);
        ShippingPlan plan = ShippingPlan.of(args);
        TaskArgsSnapshot snapshot = TaskArgsSnapshot.of(args).withoutTags();
        String kernelClass = kernelClasses.get((int) callable);
        // Called once per attempt: each gets its own stream of the inputs, read from this head's memory.
        LongFunction<ChipEntity.Run> message = dispatch -> new ChipEntity.Run(dispatch, name, kernelClass, snapshot,
                plan, transfer.send(buffers(plan.in()), () -> { }), config, groupIndex, kernelClasses, replyTo, engine);
        dispatch(name, plan, message);
    }

    private List<ByteBuffer> buffers(List<ContinuousTensor> tensors) {
        List<ByteBuffer> buffers = new ArrayList<>(tensors.size());
        for (ContinuousTensor t : tensors) {
            buffers.add(memory.bytes(t));
        }
        return buffers;
    }

    /**
     * Dispatches a task until an attempt is answered and its results are in this head's memory (see
     * {@link Attempts}); {@code message} makes the attempt's message for its dispatch id, once per attempt (a message
     * may hold what can be consumed only once); the answer's bytes go to {@code plan}'s back tensors.
     *
     * @throws NodeLostException    when every attempt failed and the last one was lost with its node (named)
     * @throws TimeoutException     when every attempt failed and the last one got no answer in time
     * @throws TensorTransfer.TransferException when every attempt failed and the last one's results were lost
     * @throws AttemptLostException  when every attempt failed and the last one did not run to its end on its node
     * @throws NoWorkerNodeException when no worker node was reachable for the no-worker timeout
     */
    private void dispatch(String name, ShippingPlan plan, LongFunction<ChipEntity.Run> message) throws Exception {
        List<String> failed = new ArrayList<>();
        // How the last failed attempt failed, as the exception the task fails with when no retry is left.
        Function<String, Exception> lastFailure = TimeoutException::new;
        for (int attempt = 0; attempt <= attempts.maxRetries(); attempt++) {
            PendingDispatches.Dispatch d = pending.open(chipIndex);
            try {
                // Re-sent until answered when a message may be lost on its way: after a failed attempt, or when the
                // chip's node was removed since its last answer.
                boolean resend = attempt > 0 || pending.displaced(chipIndex);
                ChipEntity.Ran ran = attempt(d, () -> message.apply(d.id()), resend);
                if (ran == null) {
                    String node = pending.nodeOf(chipIndex);
                    lastFailure = TimeoutException::new;
                    failed.add("no answer within " + HeadJoin.seconds(attempts.taskTimeout())
                            + " (strata.cluster.task-timeout) from " + (node == null ? "its worker node" : node)
                            + ", which may be lost or still running it");
                    retrying(name, attempt, node, failed);
                    continue;
                }
                if (ran.error() != null && AttemptLostException.named(ran.error().exceptionClass())) {
                    lastFailure = AttemptLostException::new;
                    failed.add("did not run to its end on worker node " + ran.node() + ": " + ran.error().message());
                    retrying(name, attempt, ran.node(), failed);
                    continue;
                }
                if (ran.error() != null) {
                    counts.ran(chipIndex, ran.node()); // a task that failed there ran there too
                    throw ran.error().toException(); // the kernel's own failure: never retried
                }
                try {
                    // Only the accepted answer is written, and only once all its bytes are here: a stream lost
                    // half-way (its node died) leaves this head's memory as it was, for the retry to read.
                    transfer.writeWhenAllArrived(ran.back(), buffers(plan.back()));
                    counts.ran(chipIndex, ran.node());
                    counts.shipped(ran.node(), plan.inBytes(), plan.backBytes());
                    if (ran.below() != null) {
                        counts.ranBelow(chipIndex, ran.node(), CommonClock.toLocal(ran.below()));
                    }
                    return;
                } catch (TensorTransfer.TransferException | TimeoutException e) {
                    lastFailure = TensorTransfer.TransferException::new;
                    failed.add("ran on worker node " + ran.node() + " but its results did not come back: "
                            + e.getMessage());
                    retrying(name, attempt, ran.node(), failed);
                }
            } catch (NodeLostException e) {
                lastFailure = what -> new NodeLostException(e.node(), what);
                failed.add(e.getMessage());
                retrying(name, attempt, e.node(), failed);
            } finally {
                pending.close(d.id());
            }
        }
        throw lastFailure.apply("chip kernel '" + name + "' on chip " + chipIndex + (failed.size() == 1 ? ": "
                : " failed " + failed.size() + " attempts (strata.cluster.max-task-retries = " + attempts.maxRetries()
                + "): ") + String.join("; ", numbered(failed)));
    }

    /** Logs and counts a failed attempt that is followed by another. */
    private void retrying(String name, int attempt, String node, List<String> failed) {
        if (attempt < attempts.maxRetries()) {
            counts.retried(chipIndex, node);
            LOG.warn("chip {}: attempt {} of task '{}' failed ({}); dispatching it again (retry {} of {})",
                    chipIndex, attempt + 1, name, failed.get(failed.size() - 1), attempt + 1, attempts.maxRetries());
        }
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
     * Sends {@code run}'s message and waits for dispatch {@code d}'s answer up to the task timeout, re-sending (a
     * fresh message of the same dispatch) with backoff if {@code resend}; returns the answer, or null when the time
     * is up.
     */
    private ChipEntity.Ran attempt(PendingDispatches.Dispatch d, Supplier<ChipEntity.Run> run, boolean resend)
            throws Exception {
        entity.accept(run.get());
        long deadline = System.nanoTime() + attempts.taskTimeout().toNanos();
        long resendAfter = resend ? attempts.firstResend().toNanos() : Long.MAX_VALUE;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            try {
                return d.answer().get(Math.min(left, resendAfter), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (resend && deadline - System.nanoTime() > 0) {
                    // A fresh message: a stream of inputs not read within its subscription timeout has ended, and
                    // the entity runs one of the copies of this dispatch at most (the others' streams end unread).
                    entity.accept(run.get());
                    resendAfter = Math.min(resendAfter * 2, attempts.maxResend().toNanos());
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception c ? c : e;
            }
        }
    }
}
