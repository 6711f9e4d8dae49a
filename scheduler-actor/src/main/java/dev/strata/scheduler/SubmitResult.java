package dev.strata.scheduler;

/** What a submit returns: the slot the task occupies in this run (also named by failures and traces). */
public record SubmitResult(int taskSlot) {
}
