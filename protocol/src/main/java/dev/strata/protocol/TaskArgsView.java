package dev.strata.protocol;

/** What a worker sees of a task's arguments: tensors and scalars, tags stripped. */
public interface TaskArgsView {
    /** Number of tensor arguments. */
    int tensorCount();

    /** Number of scalar arguments. */
    int scalarCount();

    /** Tensor argument {@code i}, in submit order. */
    ContinuousTensor tensor(int i);

    /** Scalar argument {@code i}, in submit order. */
    long scalar(int i);
}
