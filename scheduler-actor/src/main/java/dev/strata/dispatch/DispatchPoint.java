package dev.strata.dispatch;

/**
 * One dispatch as a {@link FaultPlan} sees it: which task member goes to which worker.
 *
 * @param callable   the callable's name, as in the trace: the registered chip name, or {@code sub#<id>}
 * @param slot       the task's slot in its run
 * @param groupIndex member index (0 for single tasks)
 * @param worker     the worker it goes to, as the scheduler names it: {@code chip 1}, {@code sub worker 0},
 *                   {@code engine 0}
 * @param run        the engine's run number, 0 for the first run of a {@code Worker}
 */
public record DispatchPoint(String callable, int slot, int groupIndex, String worker, int run) {
}
