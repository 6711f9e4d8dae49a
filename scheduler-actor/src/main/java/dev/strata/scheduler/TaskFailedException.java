package dev.strata.scheduler;

/** Thrown by {@link Worker#run} when a task (or the orchestration function itself) failed. */
public class TaskFailedException extends RuntimeException {
    private final int taskSlot;
    private final String callableName;

    public TaskFailedException(String message, int taskSlot, String callableName, Throwable cause) {
        super(message, cause);
        this.taskSlot = taskSlot;
        this.callableName = callableName;
    }

    /** The failed task's slot, or -1 when the orchestration function itself threw. */
    public int taskSlot() {
        return taskSlot;
    }

    /** The failed callable's registered name, {@code "sub#<id>"} for sub callables, "orch" for the orch fn. */
    public String callableName() {
        return callableName;
    }
}
