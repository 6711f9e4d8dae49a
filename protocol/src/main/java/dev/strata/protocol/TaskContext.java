package dev.strata.protocol;

/** What a running callable or kernel is handed. */
public interface TaskContext {
    /** The task's tensors and scalars (this member's own args inside a group). */
    TaskArgsView args();

    /** The launch configuration given at submit. */
    CallConfig config();

    /** The node's shared tensor memory, where every tensor address of {@link #args()} lives. */
    TensorMemory memory();

    /** 0 for single tasks, 0..N-1 for the members of an N-wide group. */
    int groupIndex();

    /** Which block of a chip kernel this call runs, 0..blockDim-1 (always 0 for sub callables). */
    default int blockIndex() {
        return 0;
    }
}
