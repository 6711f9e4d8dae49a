package dev.strata.scheduler;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the last {@link Worker#run} did, for summaries and checks ({@link Worker#lastRun()}).
 *
 * @param completedTasks  tasks (or groups) that ran to completion, failed ones included
 * @param failedTasks     task members that threw
 * @param skippedTasks    tasks that never ran because a producer failed
 * @param earlyDispatches tasks sent to a worker behind their producers there, before they were ready
 * @param tracedTasks     task members recorded in the run's trace: 0 whenever tracing is off
 * @param failures        every failed member, in the order the scheduler learned of them
 * @param tasksByNode     in cluster mode, the chip tasks (group members counted one by one) each worker node ran,
 *                        by its {@code host:port} in that order, only nodes that ran one; empty without cluster mode
 */
public record RunSummary(long completedTasks, long failedTasks, long skippedTasks, long earlyDispatches,
                         int tracedTasks, List<TaskFailure> failures, Map<String, Long> tasksByNode) {
    public RunSummary {
        failures = List.copyOf(failures);
        // Unmodifiable, keeping the given order (Map.copyOf would not).
        tasksByNode = Collections.unmodifiableMap(new LinkedHashMap<>(tasksByNode));
    }

    /** A summary of a run on one JVM: no worker node ran anything. */
    public RunSummary(long completedTasks, long failedTasks, long skippedTasks, long earlyDispatches,
                      int tracedTasks, List<TaskFailure> failures) {
        this(completedTasks, failedTasks, skippedTasks, earlyDispatches, tracedTasks, failures, Map.of());
    }

    /**
     * One failed task member.
     *
     * @param taskSlot       the task's slot
     * @param callableName   registered chip kernel name, or {@code sub#<id>}
     * @param worker         the worker it ran on, e.g. "chip 1"
     * @param groupIndex     member index in a group, 0 for single tasks
     * @param exceptionClass class name of what it threw
     * @param message        that exception's message
     */
    public record TaskFailure(int taskSlot, String callableName, String worker, int groupIndex,
                              String exceptionClass, String message) {
    }
}
