package dev.strata.process;

import dev.strata.config.ProcessSettings;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * Measures the bare mailbox round trip (parent posts → child runs a no-op kernel → parent sees TASK_DONE)
 * on real child JVMs, without the engine: one driver thread per chip posting back to back. Not a test; run
 * with the module's test class path:
 *
 * <pre>{@code java -cp <test class path> dev.strata.process.ChipProcessRoundTripBench [tasksPerChip] [reps]}</pre>
 */
public final class ChipProcessRoundTripBench {
    private ChipProcessRoundTripBench() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (SharedTensorMemory memory = SharedTensorMemory.create(null, 1 << 20, 1 << 20)) {
            for (int chips : new int[] {1, 2}) {
                bench(memory, chips, tasks, reps);
            }
            idle(memory, 2_000);
        }
    }

    private static void bench(SharedTensorMemory memory, int chips, int tasks, int reps) throws Exception {
        List<ChipProcess> proxies = new ArrayList<>();
        List<ChipKernel> kernels = List.of(new TestKernels.Noop());
        RoundTripStats roundTrips = new RoundTripStats();
        for (int i = 0; i < chips; i++) {
            proxies.add(new ChipProcess(i, List.of("noop"), kernels, memory, 1, ProcessSettings.defaults(),
                    roundTrips));
        }
        ChipProcess.startAll(proxies);
        try {
            TaskArgsView empty = new TaskArgs().addScalar(1).view();
            run(proxies, tasks, empty); // warm-up: JIT on both sides
            double[] rates = new double[reps];
            long[] p50 = new long[reps];
            long[] p99 = new long[reps];
            for (int r = 0; r < reps; r++) {
                roundTrips.reset();
                long start = System.nanoTime();
                run(proxies, tasks, empty);
                double seconds = (System.nanoTime() - start) / 1e9;
                rates[r] = chips * (double) tasks / seconds;
                p50[r] = roundTrips.percentile(0.5);
                p99[r] = roundTrips.percentile(0.99);
            }
            Arrays.sort(rates);
            Arrays.sort(p50);
            Arrays.sort(p99);
            System.out.printf("%d chip(s), %d no-op tasks per chip, median of %d: %.0f tasks/s [%.0f-%.0f], "
                            + "round trip p50 %.1f us, p99 %.1f us%n", chips, tasks, reps, rates[reps / 2], rates[0],
                    rates[reps - 1], p50[reps / 2] / 1e3, p99[reps / 2] / 1e3);
        } finally {
            proxies.forEach(ChipProcess::close);
        }
    }

    /** One task at a time into an idle child (asleep on its doorbell): the cold round trip. */
    private static void idle(SharedTensorMemory memory, int tasks) {
        RoundTripStats roundTrips = new RoundTripStats();
        ChipProcess p = new ChipProcess(0, List.of("noop"), List.of(new TestKernels.Noop()), memory, 1,
                ProcessSettings.defaults(), roundTrips);
        p.start();
        try {
            TaskArgsView args = new TaskArgs().addScalar(1).view();
            for (int i = 0; i < tasks; i++) { // warm-up
                p.run(0, args, CallConfig.DEFAULT, 0);
            }
            roundTrips.reset();
            for (int i = 0; i < tasks; i++) {
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // the child goes to sleep
                p.run(0, args, CallConfig.DEFAULT, 0);
            }
            System.out.printf("1 chip, %d no-op tasks each into an idle (sleeping) child: round trip p50 %.1f us, "
                    + "p99 %.1f us%n", tasks, roundTrips.percentile(0.5) / 1e3,
                    roundTrips.percentile(0.99) / 1e3);
        } finally {
            p.close();
        }
    }

    private static void run(List<ChipProcess> proxies, int tasks, TaskArgsView args) throws Exception {
        CyclicBarrier go = new CyclicBarrier(proxies.size());
        List<Thread> drivers = new ArrayList<>();
        for (ChipProcess p : proxies) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < tasks; i++) {
                        p.run(0, args, CallConfig.DEFAULT, 0);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            drivers.add(t);
        }
        for (Thread t : drivers) {
            t.join();
        }
    }
}
