package dev.strata.config;

/**
 * How chip workers run ({@code strata.worker.mode}): THREAD in this JVM, PROCESS in child JVMs reached through a
 * shared-memory mailbox. Users name it {@code dev.strata.scheduler.WorkerMode}; this is its settings-level twin.
 */
public enum ChipMode { THREAD, PROCESS }
