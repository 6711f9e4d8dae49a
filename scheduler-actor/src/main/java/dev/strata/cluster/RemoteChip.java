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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A chip worker of a cluster head whose tasks run on a chip entity on a worker node: to the scheduler it is a
 * worker like any other (one task at a time, on its worker actor's thread). Each task ships the bytes of its
 * tensors inline in the dispatch, waits up to {@code strata.cluster.task-timeout} for the answer, and writes the
 * bytes the kernel changed into this head's memory before it returns — so before its worker actor reports the task
 * done and any dependent can read them. Because a task's inputs are read here, when it runs, and not when it was
 * dispatched, an early dispatch queued behind its producers on this worker ships their results, never stale bytes.
 */
public final class RemoteChip implements GroupTaskWorker {
    /**
     * Most bytes of tensors one task may ship (200 KiB): the dispatch, and its answer, must fit in one Artery frame
     * (256 KiB by default) with room for the rest of the message; Artery drops a larger message silently.
     */
    public static final int MAX_SHIPPED_BYTES = 200 * 1024;

    private final int chipIndex;
    private final List<String> kernelNames;
    private final List<String> kernelClasses;
    private final TensorMemory memory;
    private final Duration timeout;
    private final Ask ask;
    private final NodeTaskCounts counts;

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
     * ({@code EntityRef::ask}); each answer counts one task for its node in {@code counts}.
     */
    public RemoteChip(int chipIndex, List<String> kernelNames, List<String> kernelClasses, TensorMemory memory,
                      Duration timeout, Ask ask, NodeTaskCounts counts) {
        this.chipIndex = chipIndex;
        this.kernelNames = List.copyOf(kernelNames);
        this.kernelClasses = List.copyOf(kernelClasses);
        this.memory = memory;
        this.timeout = timeout;
        this.ask = ask;
        this.counts = counts;
    }

    @Override
    public void run(long callable, TaskArgsView args, CallConfig config, int groupIndex) throws Exception {
        if (callable < 0 || callable >= kernelNames.size()) {
            throw new IllegalArgumentException("unknown chip callable id " + callable + " on chip " + chipIndex
                    + " (registered: " + kernelNames.size() + ")");
        }
        String name = kernelNames.get((int) callable);
        List<ContinuousTensor> shipped = shipped(args);
        long total = 0;
        for (ContinuousTensor t : shipped) {
            total += t.nbytes();
        }
        if (total > MAX_SHIPPED_BYTES) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "chip kernel '%s' on chip %d would ship"
                    + " %d bytes of tensors to its worker node, more than the limit of %d bytes (200 KiB) per task"
                    + " in cluster mode: tensors travel inline in one message, and Artery's frame is 256 KiB;"
                    + " streaming large tensors is not supported yet (docs/cluster.md)", name, chipIndex, total,
                    MAX_SHIPPED_BYTES));
        }
        List<byte[]> contents = new ArrayList<>(shipped.size());
        for (ContinuousTensor t : shipped) {
            byte[] b = new byte[(int) t.nbytes()];
            memory.bytes(t).get(b);
            contents.add(b);
        }
        TaskArgsSnapshot snapshot = TaskArgsSnapshot.of(args);
        ChipEntity.Ran ran = await(ask.ask(replyTo -> new ChipEntity.Run(name, kernelClasses.get((int) callable),
                snapshot, shipped, contents, config, groupIndex, kernelClasses, replyTo), timeout), name);
        counts.ran(chipIndex, ran.node()); // a task that failed there ran there too
        if (ran.error() != null) {
            throw ran.error().toException();
        }
        for (int i = 0; i < ran.changed().length; i++) {
            ByteBuffer target = memory.bytes(shipped.get(ran.changed()[i]));
            target.put(ran.contents().get(i));
        }
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

    /** The distinct tensors of {@code args} by address, each the largest seen there; address 0 ships nothing. */
    static List<ContinuousTensor> shipped(TaskArgsView args) {
        Map<Long, ContinuousTensor> byAddress = new LinkedHashMap<>();
        for (int i = 0; i < args.tensorCount(); i++) {
            ContinuousTensor t = args.tensor(i);
            if (t.data() != 0) {
                byAddress.merge(t.data(), t, (a, b) -> b.nbytes() > a.nbytes() ? b : a);
            }
        }
        return List.copyOf(byAddress.values());
    }
}
