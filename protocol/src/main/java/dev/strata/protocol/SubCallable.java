package dev.strata.protocol;

/** A Java function registered with {@code Worker.register} and run by a sub worker. */
@FunctionalInterface
public interface SubCallable {
    /** Runs the task; throwing fails the task (and the run) with this exception as cause. */
    void call(TaskContext ctx) throws Exception;
}
