package dev.strata.process;

import dev.strata.config.ProcessSettings;

/**
 * What PROCESS mode bounds that THREAD mode does not, for the engine's API edge to check before anything
 * reaches a child: a chip task's args travel as one blob in its child's mailbox, so a submit whose args do not
 * fit fails at once (naming {@code strata.worker.process.mailbox-size}), not later in the child.
 */
public final class ProcessLimits {
    private ProcessLimits() {
    }

    /** Largest encoded args blob ({@code TaskArgsBlob}) of one chip task that a child's mailbox holds, in bytes. */
    public static int chipArgsBytes(ProcessSettings settings) {
        return Mailbox.argsCapacity(settings.mailboxSize());
    }
}
