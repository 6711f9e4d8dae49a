package dev.strata.node.job;

import dev.strata.scheduler.Worker;
import java.io.PrintStream;

/** A job a run file describes ({@code strata.job.kind}), already validated when it is created. */
public interface Job {

    /** Called once on the fresh engine, before {@link Worker#init()}: registers the job's callables. */
    void register(Worker worker);

    /**
     * Called once after {@link Worker#init()}: runs the job, checks its result and prints a summary to
     * {@code out}.
     *
     * @throws JobFailedException when the job ran but its result is wrong
     */
    void run(Worker worker, PrintStream out) throws Exception;

    /**
     * The setting that sizes this job's memory, named when the job does not fit in the Java heap (e.g.
     * {@code strata.job.matrix-size}).
     */
    String sizeKey();
}
