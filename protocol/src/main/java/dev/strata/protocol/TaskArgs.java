package dev.strata.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Mutable builder an orchestration function fills; the tags are read only at submit. */
public final class TaskArgs {
    private final List<ContinuousTensor> tensors = new ArrayList<>(4);
    private final List<TensorArgType> tags = new ArrayList<>(4);
    private long[] scalars = new long[0];
    private int scalarCount;

    /** Empty arguments: no tensors, no scalars. */
    public TaskArgs() {
    }

    /** Appends a tensor argument with its access tag. */
    public TaskArgs addTensor(ContinuousTensor t, TensorArgType tag) {
        // check both first: a half-done add would leave tensors and tags out of step
        Objects.requireNonNull(t, "tensor must not be null");
        Objects.requireNonNull(tag, "tag must not be null");
        tensors.add(t);
        tags.add(tag);
        return this;
    }

    /** Appends a 64-bit scalar argument. */
    public TaskArgs addScalar(long value) {
        if (scalarCount == scalars.length) {
            scalars = Arrays.copyOf(scalars, Math.max(4, scalarCount * 2));
        }
        scalars[scalarCount++] = value;
        return this;
    }

    /** Number of tensor arguments added so far. */
    public int tensorCount() {
        return tensors.size();
    }

    /** Number of scalar arguments added so far. */
    public int scalarCount() {
        return scalarCount;
    }

    /** Tensor argument {@code i}, in the order added. */
    public ContinuousTensor tensor(int i) {
        return tensors.get(i);
    }

    /** The access tag of tensor argument {@code i}. */
    public TensorArgType tag(int i) {
        return tags.get(i);
    }

    /** Scalar argument {@code i}, in the order added. */
    public long scalar(int i) {
        Objects.checkIndex(i, scalarCount);
        return scalars[i];
    }

    /** Replaces tensor {@code i} (used by the runtime to fill in auto-allocated OUTPUTs). */
    public TaskArgs setTensor(int i, ContinuousTensor t) {
        tensors.set(i, Objects.requireNonNull(t, "tensor must not be null"));
        return this;
    }

    /**
     * An immutable snapshot of the current arguments: a {@link TaskArgsSnapshot} whose view has the tags stripped;
     * it keeps them in {@link TaskArgsSnapshot#tags()} for the runtime alone (what travels to a worker node).
     */
    public TaskArgsView view() {
        return new TaskArgsSnapshot(tensors, Arrays.copyOf(scalars, scalarCount), tags);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("TaskArgs[");
        for (int i = 0; i < tensors.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(tags.get(i)).append(' ').append(tensors.get(i));
        }
        return b.append("] scalars=").append(Arrays.toString(Arrays.copyOf(scalars, scalarCount))).toString();
    }
}
