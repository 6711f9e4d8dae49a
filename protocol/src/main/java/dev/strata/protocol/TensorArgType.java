package dev.strata.protocol;

/**
 * Access tag of a tensor argument; read only at submit to infer dependencies.
 *
 * <ul>
 *   <li>{@link #INPUT}: waits for the tensor's producer (read after write).</li>
 *   <li>{@link #OUTPUT}: pure overwrite, becomes the producer; {@code data == 0} is auto-allocated.</li>
 *   <li>{@link #INOUT}: waits for the producer and becomes the producer.</li>
 *   <li>{@link #OUTPUT_EXISTING}: becomes the producer, never auto-allocated.</li>
 *   <li>{@link #NO_DEP}: no tracking at all.</li>
 * </ul>
 */
public enum TensorArgType {
    INPUT, OUTPUT, INOUT, OUTPUT_EXISTING, NO_DEP;

    /** True when a task with this tag waits for the tensor's current producer. */
    public boolean looksUpProducer() {
        return this == INPUT || this == INOUT;
    }

    /** True when a task with this tag becomes the tensor's producer. */
    public boolean becomesProducer() {
        return this == OUTPUT || this == INOUT || this == OUTPUT_EXISTING;
    }
}
