package dev.strata.cluster;

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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A chip worker of a cluster head whose tasks run on a chip entity on a worker node: to the scheduler it is a
 * worker like any other (one task at a time, on its worker actor's thread). Each task ships the bytes of the tensors
 * its kernel may read, as its tags say ({@link ShippingPlan}; inline when small, streamed when large,
 * {@link TensorTransfer}), waits up to {@code strata.cluster.task-timeout} for the answer, and writes the bytes of
 * the tensors the task may write into this head's memory before it returns — so before its worker actor reports the
 * task done and any dependent can read them. Because a task's inputs are read here, when it runs, and not when it was
 * dispatched, an early dispatch queued behind its producers on this worker ships their results, never stale bytes.
 */
public final class RemoteChip implements GroupTaskWorker {
    private final int chipIndex;
    private final List<String> kernelNames;
    private final List<String> kernelClasses;
    private final TensorMemory memory;
    private final Duration timeout;
    private final Ask ask;
    private final NodeTaskCounts counts;
    private final TensorTransfer transfer;

    /** How a message reaches the chip's entity: {@code EntityRef.ask}, or a stand-in in tests. */
    @FunctionalInterface
    public interface Ask {
        /** Sends {@code message(replyTo)}; completes with the answer, or fails (a timeout) after {@code timeout}. */
        CompletionStage<ChipEntity.Ran> ask(Function<ActorRef<ChipEntity.Ran>, ChipEntity.Command> message,
                                            Duration timeout);
    }

    /**
     * Chip {@code chipIndex}, whose kernels (index = callable id) are named {@code kernelNames} and made on the nodes
     * from {@code kernelClasses}; tensors are read from and written to {@code memory}; {@code ask} sends a message
     * to the chip's entity and completes with its answer or fails after the given timeout
     * ({@code EntityRef::ask}); each answer counts one task, and the bytes shipped each way, for its node in
     * {@code counts}; bytes travel with {@code transfer}.
     */
    public RemoteChip(int chipIndex, List<String> kernelNames, List<String> kernelClasses, TensorMemory memory,
                      Duration timeout, Ask ask, NodeTaskCounts counts, TensorTransfer transfer) {
        this.chipIndex = chipIndex;
        this.kernelNames = List.copyOf(kernelNames);
        this.kernelClasses = List.copyOf(kernelClasses);
        this.memory = memory;
        this.timeout = timeout;
        this.ask = ask;
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
        Function<ActorRef<ChipEntity.Ran>, ChipEntity.Command> message = replyTo -> new ChipEntity.Run(name,
                kernelClass, snapshot, plan, transfer.send(buffers(plan.in()), () -> { }), config, groupIndex,
                replyTo);
        ChipEntity.Ran ran = await(ask.ask(message, timeout), name);
        counts.ran(chipIndex, ran.node()); // a task that failed there ran there too
        if (ran.error() != null) {
            throw ran.error().toException();
        }
        try {
            // Only the accepted answer is written, and only once all its bytes are here: a stream lost half-way
            // leaves this head's memory as it was, for a retry to read.
            transfer.writeWhenAllArrived(ran.back(), buffers(plan.back()));
        } catch (TensorTransfer.TransferException | TimeoutException e) {
            throw new TensorTransfer.TransferException("chip kernel '" + name + "' on chip " + chipIndex + " ran on"
                    + " worker node " + ran.node() + " but its results did not come back: " + e.getMessage(), e);
        }
        counts.shipped(ran.node(), plan.inBytes(), plan.backBytes());
    }

    private List<ByteBuffer> buffers(List<ContinuousTensor> tensors) {
        List<ByteBuffer> buffers = new ArrayList<>(tensors.size());
        for (ContinuousTensor t : tensors) {
            buffers.add(memory.bytes(t));
        }
        return buffers;
    }

    private ChipEntity.Ran await(CompletionStage<ChipEntity.Ran> answer, String name) throws Exception {
        try {
            return answer.toCompletableFuture().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw new TimeoutException("chip kernel '" + name + "' on chip " + chipIndex + " got no answer from"
                        + " its worker node within " + timeout + " (strata.cluster.task-timeout); the node may be"
                        + " lost or the task still running there");
            }
            throw e.getCause() instanceof Exception c ? c : e;
        }
    }
}
