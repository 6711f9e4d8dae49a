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
 * @param nodes           in cluster mode, what each worker node did for this run, by its {@code host:port} in
 *                        that order (a node appears once it ran a task or lost an attempt); empty without cluster
 *                        mode
 * @param warnings        the tag checker's warnings ({@code strata.check.tags}): each names a task that wrote a
 *                        tensor it tagged NO_DEP, its worker and the tensor; empty when none or the check is off
 */
public record RunSummary(long completedTasks, long failedTasks, long skippedTasks, long earlyDispatches,
                         int tracedTasks, List<TaskFailure> failures, Map<String, NodeWork> nodes,
                         List<String> warnings) {
    public RunSummary {
        failures = List.copyOf(failures);
        // Unmodifiable, keeping the given order (Map.copyOf would not).
        nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
        warnings = List.copyOf(warnings);
    }

    /** A summary without warnings. */
    public RunSummary(long completedTasks, long failedTasks, long skippedTasks, long earlyDispatches,
                      int tracedTasks, List<TaskFailure> failures, Map<String, NodeWork> nodes) {
        this(completedTasks, failedTasks, skippedTasks, earlyDispatches, tracedTasks, failures, nodes, List.of());
    }

    /**
     * What one worker node did for a run of a cluster head.
     *
     * @param tasks         chip tasks it ran (group members counted one by one), failed ones included
     * @param retries       attempts there that were lost (the node was removed), timed out or whose results were
     *                      lost on the way back, each followed by a new dispatch of its task
     * @param bytesToNode   bytes of tensors shipped to it, for the tasks whose answer was taken
     * @param bytesFromNode bytes of tensors shipped back from it
     */
    public record NodeWork(long tasks, long retries, long bytesToNode, long bytesFromNode) {
    }

    /** The chip tasks each worker node ran, by {@code host:port}, only nodes that ran one. */
    public Map<String, Long> tasksByNode() {
        Map<String, Long> tasks = new LinkedHashMap<>();
        nodes.forEach((node, work) -> {
            if (work.tasks() > 0) {
                tasks.put(node, work.tasks());
            }
        });
        return Collections.unmodifiableMap(tasks);
    }

    /** Every retry of this run, on whichever node its failed attempt was. */
    public long retries() {
        return nodes.values().stream().mapToLong(NodeWork::retries).sum();
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
