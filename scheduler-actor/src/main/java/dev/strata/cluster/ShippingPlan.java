package dev.strata.cluster;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorArgType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which tensors of a remote task travel, and which way, decided from their access tags: the bytes of a tensor the
 * kernel may read go to the node ({@link TensorArgType#INPUT}, {@link TensorArgType#INOUT},
 * {@link TensorArgType#OUTPUT_EXISTING} and {@link TensorArgType#NO_DEP}); an {@link TensorArgType#OUTPUT} does
 * not — the node gives the kernel a zero-filled tensor; the bytes of every tensor the task may write come back
 * ({@link TensorArgType#INOUT}, {@link TensorArgType#OUTPUT}, {@link TensorArgType#OUTPUT_EXISTING}), never an
 * INPUT's or a NO_DEP's.
 *
 * <p>Tensors at one address share one copy on the node, the largest of them: it goes in if any use reads it and
 * comes back if any use may write it. A tensor at address 0 is "no tensor" and travels neither way. Arguments
 * without tags (a caller that is not the scheduler) are treated as INOUT: everything both ways, always correct.
 *
 * @param tensors the distinct tensors by head address, in first-use order
 */
public record ShippingPlan(List<Shipped> tensors) {
    /**
     * One tensor of the plan.
     *
     * @param tensor the tensor at its head address (the largest use at that address)
     * @param in     whether its bytes go to the node
     * @param back   whether its bytes come back to the head
     */
    public record Shipped(ContinuousTensor tensor, boolean in, boolean back) {
        public Shipped {
            Objects.requireNonNull(tensor, "tensor");
        }
    }

    public ShippingPlan {
        tensors = List.copyOf(tensors);
    }

    /** The plan of a task's arguments (tags from {@link TaskArgsSnapshot#tags()} when it has them). */
    public static ShippingPlan of(TaskArgsView args) {
        List<TensorArgType> tags = args instanceof TaskArgsSnapshot s ? s.tags() : null;
        Map<Long, Shipped> byAddress = new LinkedHashMap<>();
        for (int i = 0; i < args.tensorCount(); i++) {
            ContinuousTensor t = args.tensor(i);
            if (t.data() == 0) {
                continue;
            }
            TensorArgType tag = tags == null ? TensorArgType.INOUT : tags.get(i);
            Shipped use = new Shipped(t, tag != TensorArgType.OUTPUT, tag.becomesProducer());
            byAddress.merge(t.data(), use, (a, b) -> new Shipped(b.tensor.nbytes() > a.tensor.nbytes() ? b.tensor
                    : a.tensor, a.in || b.in, a.back || b.back));
        }
        return new ShippingPlan(new ArrayList<>(byAddress.values()));
    }

    /** The tensors whose bytes go to the node, in plan order. */
    public List<ContinuousTensor> in() {
        return tensors.stream().filter(Shipped::in).map(Shipped::tensor).toList();
    }

    /** The tensors whose bytes come back, in plan order. */
    public List<ContinuousTensor> back() {
        return tensors.stream().filter(Shipped::back).map(Shipped::tensor).toList();
    }

    /** How many bytes go to the node. */
    public long inBytes() {
        return bytes(in());
    }

    /** How many bytes come back. */
    public long backBytes() {
        return bytes(back());
    }

    static long bytes(List<ContinuousTensor> tensors) {
        long n = 0;
        for (ContinuousTensor t : tensors) {
            n += t.nbytes();
        }
        return n;
    }
}
