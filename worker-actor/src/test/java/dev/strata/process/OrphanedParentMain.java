package dev.strata.process;

import dev.strata.config.ProcessSettings;
import dev.strata.memory.SharedTensorMemory;
import java.nio.file.Path;
import java.util.List;

/**
 * A stand-in parent JVM for {@code ChipProcessTest}: maps memory in {@code args[0]}, starts one chip process,
 * prints the child's pid and then waits on stdin until it is killed (with SIGKILL, so nothing cleans up).
 */
public final class OrphanedParentMain {
    private OrphanedParentMain() {
    }

    public static void main(String[] args) throws Exception {
        SharedTensorMemory memory = SharedTensorMemory.create(Path.of(args[0]), 64 * 1024, 64 * 1024);
        ChipProcess chip = new ChipProcess(0, List.of("noop"), List.of(new TestKernels.Noop()), memory, 1,
                ProcessSettings.defaults(), new RoundTripStats());
        chip.start();
        System.out.println("child " + chip.pid());
        System.out.flush();
        System.in.read();
    }
}
