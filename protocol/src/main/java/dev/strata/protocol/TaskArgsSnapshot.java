package dev.strata.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable {@link TaskArgsView}: what {@link TaskArgs#view()} returns and what dispatch messages
 * carry. A record so that it crosses process and node boundaries as CBOR.
 */
public record TaskArgsSnapshot(List<ContinuousTensor> tensors, long[] scalars) implements TaskArgsView {
    /** No tensors, no scalars. */
    public static final TaskArgsSnapshot EMPTY = new TaskArgsSnapshot(List.of(), new long[0]);

    /**
     * Copies both arguments, so the snapshot never changes.
     *
     * @throws NullPointerException if either argument or any tensor is null
     */
    public TaskArgsSnapshot {
        tensors = List.copyOf(Objects.requireNonNull(tensors, "tensors must not be null"));
        scalars = Objects.requireNonNull(scalars, "scalars must not be null").clone();
    }

    /** A snapshot of any view (returns the view itself when it already is one). */
    public static TaskArgsSnapshot of(TaskArgsView view) {
        if (view instanceof TaskArgsSnapshot s) {
            return s;
        }
        ContinuousTensor[] t = new ContinuousTensor[view.tensorCount()];
        for (int i = 0; i < t.length; i++) {
            t[i] = view.tensor(i);
        }
        long[] s = new long[view.scalarCount()];
        for (int i = 0; i < s.length; i++) {
            s[i] = view.scalar(i);
        }
        return new TaskArgsSnapshot(Arrays.asList(t), s);
    }

    @Override
    public int tensorCount() {
        return tensors.size();
    }

    @Override
    public int scalarCount() {
        return scalars.length;
    }

    @Override
    public ContinuousTensor tensor(int i) {
        return tensors.get(i);
    }

    @Override
    public long scalar(int i) {
        return scalars[i];
    }

    /** A copy of the scalars. */
    @Override
    public long[] scalars() {
        return scalars.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskArgsSnapshot s && s.tensors.equals(tensors) && Arrays.equals(s.scalars, scalars);
    }

    @Override
    public int hashCode() {
        return tensors.hashCode() * 31 + Arrays.hashCode(scalars);
    }

    @Override
    public String toString() {
        return "TaskArgs" + tensors + " scalars=" + Arrays.toString(scalars);
    }
}
