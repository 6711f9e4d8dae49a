package dev.strata.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable {@link TaskArgsView}: what {@link TaskArgs#view()} returns and what dispatch messages
 * carry. A record so that it crosses process and node boundaries as CBOR.
 *
 * <p>It may also carry each tensor's access tag ({@link #tags()}, filled by {@link TaskArgs#view()}): the runtime
 * needs them past submit only to decide which bytes travel to and from a worker node. They are not part of
 * {@link TaskArgsView}, so kernels still see the arguments with tags stripped, and two snapshots are equal when
 * they show a kernel the same arguments, whatever their tags.
 *
 * @param tensors the tensor arguments, in submit order
 * @param scalars the scalar arguments, in submit order
 * @param tags    the access tag of each tensor, in the same order, or null when unknown
 */
public record TaskArgsSnapshot(List<ContinuousTensor> tensors, long[] scalars,
                               @JsonInclude(JsonInclude.Include.NON_NULL) List<TensorArgType> tags)
        implements TaskArgsView {
    /** No tensors, no scalars. */
    public static final TaskArgsSnapshot EMPTY = new TaskArgsSnapshot(List.of(), new long[0]);

    /**
     * Copies every argument, so the snapshot never changes.
     *
     * @throws NullPointerException     if tensors or scalars, or any tensor or tag, is null
     * @throws IllegalArgumentException if there are tags but not one per tensor
     */
    @JsonCreator
    public TaskArgsSnapshot {
        tensors = List.copyOf(Objects.requireNonNull(tensors, "tensors must not be null"));
        scalars = Objects.requireNonNull(scalars, "scalars must not be null").clone();
        if (tags != null) {
            tags = List.copyOf(tags);
            if (tags.size() != tensors.size()) {
                throw new IllegalArgumentException(tags.size() + " tags for " + tensors.size() + " tensors");
            }
        }
    }

    /** Arguments without tags. */
    public TaskArgsSnapshot(List<ContinuousTensor> tensors, long[] scalars) {
        this(tensors, scalars, null);
    }

    /** This snapshot without its tags: what a kernel is given. */
    public TaskArgsSnapshot withoutTags() {
        return tags == null ? this : new TaskArgsSnapshot(tensors, scalars, null);
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

    /** Equal when the tensors and scalars are: the tags do not count (see the class comment). */
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
