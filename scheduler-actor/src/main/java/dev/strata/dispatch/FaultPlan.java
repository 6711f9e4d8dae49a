package dev.strata.dispatch;

import dev.strata.worker.InjectedFault;

/**
 * What a test injects into a run (the test kit's faults; {@code Worker.Builder.faults}): the scheduler asks the plan
 * about every dispatch and sends the answer with it, and the worker applies it where the task would run — on the
 * head for THREAD and PROCESS chips and sub workers, before shipping for a chip on a worker node — so a fault means
 * the same in every mode. Each fault given is recorded in the run's trace as a mark named {@code fault}.
 */
@FunctionalInterface
public interface FaultPlan {
    /**
     * The fault for this dispatch, or null for none. Called on the scheduler's thread for every dispatch: it must be
     * fast, thread-safe and never block; what it throws fails that dispatch's task, naming the plan.
     */
    InjectedFault at(DispatchPoint point);
}
