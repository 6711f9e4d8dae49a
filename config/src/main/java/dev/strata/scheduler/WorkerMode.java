package dev.strata.scheduler;

/**
 * How chip workers run: THREAD in this JVM, PROCESS in child JVMs reached through a shared-memory mailbox.
 * Declared in {@code strata-config} (package fixed by the public API) because the typed settings read it.
 */
public enum WorkerMode { THREAD, PROCESS }
