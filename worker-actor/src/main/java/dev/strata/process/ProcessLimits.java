package dev.strata.process;

import dev.strata.config.ProcessSettings;
import dev.strata.protocol.TaskArgsBlob;

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

    /**
     * As above, leaving room for the tags that follow the blob when the tag checker is on ({@code checkTags}): 4
     * bytes and one per tensor, and a tensor takes 40 bytes of the blob, so a blob of {@code (capacity - 4) * 40 / 41}
     * bytes or less always fits with its tags.
     */
    public static int chipArgsBytes(ProcessSettings settings, boolean checkTags) {
        int capacity = chipArgsBytes(settings);
        int record = TaskArgsBlob.TENSOR_RECORD_BYTES;
        return checkTags ? (int) ((capacity - (long) Integer.BYTES) * record / (record + 1)) : capacity;
    }
}
