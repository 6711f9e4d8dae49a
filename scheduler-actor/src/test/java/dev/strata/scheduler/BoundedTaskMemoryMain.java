package dev.strata.scheduler;

import static dev.strata.protocol.TensorArgType.INOUT;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;

/**
 * A user's {@code main} for {@link BoundedTaskMemoryTest}, run in a small-heap JVM of its own: many independent
 * no-op sub tasks, then a long INOUT chain of them, each run with a scope per 1,000 tasks (the advice of
 * docs/ring.md for long runs). Before the task window, the user thread outran the workers and every submitted
 * task stayed in memory until run, so the heap ran out however the scopes were cut. Prints one line per run.
 *
 * <p>Arguments: independent task count, chain length.
 */
public final class BoundedTaskMemoryMain {
    private static final int SCOPE = 1_000;

    private BoundedTaskMemoryMain() {
    }

    public static void main(String[] args) {
        int independent = Integer.parseInt(args[0]);
        int chain = Integer.parseInt(args[1]);
        try (Worker w = Worker.builder().numSubWorkers(2).heapRingSize(1 << 20).build()) {
            int noop = w.register(ctx -> { });
            w.init();
            long t0 = System.nanoTime();
            w.run(Task.of((orch, a, c) -> {
                for (int i = 0; i < independent; i += SCOPE) {
                    orch.scopeBegin();
                    for (int k = i; k < Math.min(independent, i + SCOPE); k++) {
                        orch.submitSub(noop);
                    }
                    orch.scopeEnd();
                }
            }));
            System.out.println("independent " + independent + " done in " + ms(t0) + " ms");
            ContinuousTensor counter = ContinuousTensor.of(0x1000, DataType.INT64, 1); // never touched by noop
            long t1 = System.nanoTime();
            w.run(Task.of((orch, a, c) -> {
                for (int i = 0; i < chain; i += SCOPE) {
                    orch.scopeBegin();
                    for (int k = i; k < Math.min(chain, i + SCOPE); k++) {
                        orch.submitSub(noop, new TaskArgs().addTensor(counter, INOUT));
                    }
                    orch.scopeEnd();
                }
            }));
            System.out.println("chain " + chain + " done in " + ms(t1) + " ms");
        }
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
