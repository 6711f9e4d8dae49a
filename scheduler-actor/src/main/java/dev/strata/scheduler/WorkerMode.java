package dev.strata.scheduler;

import dev.strata.config.ChipMode;

/**
 * How chip workers run: THREAD in this JVM, PROCESS in child JVMs reached through a shared-memory mailbox.
 * The public name of {@link ChipMode}: the settings module sits below this API package and cannot see it.
 */
public enum WorkerMode {
    THREAD(ChipMode.THREAD),
    PROCESS(ChipMode.PROCESS);

    private final ChipMode chipMode;

    WorkerMode(ChipMode chipMode) {
        this.chipMode = chipMode;
    }

    /** The settings' value for this mode. */
    ChipMode chipMode() {
        return chipMode;
    }
}
