package dev.strata.process;

import static dev.strata.protocol.TensorArgType.INOUT;

import com.typesafe.config.ConfigFactory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import dev.strata.scheduler.WorkerMode;
import java.util.Arrays;

/**
 * PROCESS-mode speed on the whole engine (not a test): 10,000 independent no-op kernels on 2 chips, and a
 * 2,000-task INOUT chain; 1 warm-up and 5 measured repetitions each, median [min-max], plus the mailbox round
 * trip (parent posts → child done → parent sees it) p50/p99 over the measured repetitions. THREAD mode runs
 * the same for comparison. Run with the module's test class path:
 *
 * <pre>{@code java -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -cp <test class path> \
 *     dev.strata.process.ProcessModeBench [independent] [chain] [reps] [PROCESS|THREAD]}</pre>
 */
public final class ProcessModeBench {
    private ProcessModeBench() {
    }

    public static void main(String[] args) {
        int independent = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int chain = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        WorkerMode[] modes = args.length > 3 ? new WorkerMode[] {WorkerMode.valueOf(args[3])}
                : new WorkerMode[] {WorkerMode.PROCESS, WorkerMode.THREAD};
        for (WorkerMode mode : modes) {
            try (Worker w = Worker.fromConfig(ConfigFactory.parseString("strata.worker { mode = " + mode
                    + ", chip-workers = 2, heap-ring-size = 64 MiB, arena-size = 1 MiB }"))) {
                long noop = w.registerChipCallable("noop", new Kernels.Noop());
                long step = w.registerChipCallable("add", new Kernels.AddScalar());
                w.init();
                ContinuousTensor acc = w.memory().allocate(DataType.FLOAT32, 1);
                Task many = Task.of((orch, a, cfg) -> {
                    for (int i = 0; i < independent; i++) {
                        orch.submitNextLevel(noop, new TaskArgs().addScalar(i), CallConfig.DEFAULT);
                    }
                });
                Task hops = Task.of((orch, a, cfg) -> {
                    for (int i = 0; i < chain; i++) {
                        orch.submitNextLevel(step, new TaskArgs().addTensor(acc, INOUT).addScalar(1),
                                CallConfig.DEFAULT);
                    }
                });
                report(mode + ": " + independent + " independent no-op kernels on 2 chips", w, many, independent,
                        reps, "tasks/s");
                report(mode + ": " + chain + "-task INOUT chain on 2 chips", w, hops, chain, reps, "hops/s");
            }
        }
    }

    private static void report(String what, Worker w, Task task, int tasks, int reps, String unit) {
        w.run(task); // warm-up
        ChipProcess.roundTrips().reset();
        double[] rates = new double[reps];
        for (int r = 0; r < reps; r++) {
            long start = System.nanoTime();
            w.run(task);
            rates[r] = tasks / ((System.nanoTime() - start) / 1e9);
        }
        Arrays.sort(rates);
        String rt = ChipProcess.roundTrips().count() == 0 ? "" : String.format(
                "; round trip p50 %.1f us, p99 %.1f us (%d dispatches)", ChipProcess.roundTrips().percentile(0.5) / 1e3,
                ChipProcess.roundTrips().percentile(0.99) / 1e3, ChipProcess.roundTrips().count());
        System.out.printf("%s: median %.0f %s [%.0f-%.0f]%s%n", what, rates[reps / 2], unit, rates[0],
                rates[reps - 1], rt);
    }
}
