package dev.strata.bench;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;

/**
 * A chip kernel that does nothing, so the PROCESS-mode scenarios measure the engine and the mailbox. A public
 * class with a public no-arg constructor: a chip-process child loads it by name.
 */
public final class NoopKernel implements ChipKernel {
    @Override
    public void run(TaskContext ctx) {
    }
}
