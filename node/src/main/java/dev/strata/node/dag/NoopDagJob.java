package dev.strata.node.dag;

import static dev.strata.protocol.TensorArgType.INOUT;
import static dev.strata.protocol.TensorArgType.INPUT;
import static dev.strata.protocol.TensorArgType.OUTPUT;

import dev.strata.config.InvalidSettingException;
import dev.strata.config.WorkerSettings;
import dev.strata.node.job.Job;
import dev.strata.node.job.JobSection;
import dev.strata.node.job.JobFailedException;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorMemory;
import dev.strata.scheduler.OrchFn;
import dev.strata.scheduler.Orchestrator;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * The {@code noop-dag} job: runs each configured {@link DagShape} of N trivial sub callables as one
 * {@code Worker.run}, prints its tasks and wall time, and checks from the tensors the tasks touched that each
 * ran exactly once and in an order its tags allow. Each shape first runs once untimed with at most 200 tasks,
 * so the timed runs do not pay for JIT compilation.
 */
public final class NoopDagJob implements Job {
    /** Tasks of the untimed, checked warm-up run of each shape, so the timed runs do not pay for JIT compilation. */
    private static final int WARM_UP_TASKS = 200;

    private final NoopDagSettings settings;
    private final WorkerSettings worker;
    private int increment = -1;
    private int readPlusOne = -1;
    private int sum = -1;

    /** A job with validated settings; fails naming the worker key if the engine cannot run it. */
    public NoopDagJob(NoopDagSettings settings, WorkerSettings worker) {
        int needed = settings.shapes().contains(DagShape.GROUP) ? 2 : 1;
        if (worker.subWorkers() < needed) {
            throw new InvalidSettingException("strata.worker.sub-workers", worker.subWorkers(), "must be >= " + needed
                    + " for a noop-dag job" + (needed == 2 ? " with the group shape (2 members run at once)" : ""));
        }
        // The fan's last task joins all N readers, so all N + 2 tasks are live at once: they must fit the window.
        if (settings.shapes().contains(DagShape.FAN) && settings.tasks() + 2 > worker.taskWindow()) {
            throw new InvalidSettingException(JobSection.key("tasks"), settings.tasks(), "must be at most "
                    + "strata.worker.task-window - 2 = " + (worker.taskWindow() - 2) + " with the fan shape (its last"
                    + " task reads every reader's output), or raise strata.worker.task-window");
        }
        this.settings = settings;
        this.worker = worker;
    }

    @Override
    public void register(Worker engine) {
        increment = engine.register(Touch.INCREMENT);
        readPlusOne = engine.register(Touch.READ_PLUS_ONE);
        sum = engine.register(Touch.SUM);
    }

    @Override
    public void run(Worker engine, PrintStream out) {
        out.printf(Locale.ROOT, "noop-dag: %d tasks per shape, sub-workers=%d%n", settings.tasks(), worker.subWorkers());
        List<String> failures = new ArrayList<>();
        for (DagShape shape : EnumSet.copyOf(settings.shapes())) {
            ShapeResult r = run(engine, shape, Math.min(settings.tasks(), WARM_UP_TASKS));
            if (r.problem != null) {
                failures.add(shape.configName() + " (warm-up): " + r.problem);
            }
        }
        for (DagShape shape : settings.shapes()) {
            ShapeResult r = run(engine, shape, settings.tasks());
            out.printf(Locale.ROOT, "  %-12s %8d tasks %10.2f ms %10.1f k tasks/s   %s%n", shape.configName(), r.tasks,
                    r.seconds * 1e3, r.tasks / r.seconds / 1e3, r.problem == null ? "ok" : "FAILED: " + r.problem);
            if (r.problem != null) {
                failures.add(shape.configName() + ": " + r.problem);
            }
        }
        if (!failures.isEmpty()) {
            throw new JobFailedException("noop-dag check failed: " + String.join("; ", failures));
        }
    }

    private ShapeResult run(Worker engine, DagShape shape, int n) {
        return switch (shape) {
            case INDEPENDENT -> independent(engine, n);
            case CHAIN -> chain(engine, n);
            case FAN -> fan(engine, n);
            case GROUP -> group(engine, n);
        };
    }

    /** N tasks, each incrementing its own OUTPUT tensor once. */
    private ShapeResult independent(Worker engine, int n) {
        List<ContinuousTensor> outs = allocate(engine.memory(), n);
        try {
            double seconds = time(engine, (orch, args, cfg) -> inScopes(orch, n,
                    i -> orch.submitSub(increment, new TaskArgs().addTensor(outs.get(i), OUTPUT))));
            return new ShapeResult(n, seconds, expectEach(engine.memory(), outs, 1));
        } finally {
            free(engine.memory(), outs);
        }
    }

    /** N tasks incrementing one INOUT tensor: only a run in chain order ends at N. */
    private ShapeResult chain(Worker engine, int n) {
        List<ContinuousTensor> counter = allocate(engine.memory(), 1);
        try {
            double seconds = time(engine, (orch, args, cfg) -> inScopes(orch, n,
                    i -> orch.submitSub(increment, new TaskArgs().addTensor(counter.get(0), INOUT))));
            return new ShapeResult(n, seconds, expectEach(engine.memory(), counter, n));
        } finally {
            free(engine.memory(), counter);
        }
    }

    /** Producer writes 1, N readers each write producer + 1, the final task sums them: 2N only in tag order. */
    private ShapeResult fan(Worker engine, int n) {
        TensorMemory memory = engine.memory();
        List<ContinuousTensor> tensors = allocate(memory, n + 2);
        ContinuousTensor source = tensors.get(0);
        ContinuousTensor result = tensors.get(n + 1);
        List<ContinuousTensor> readers = tensors.subList(1, n + 1);
        try {
            double seconds = time(engine, (orch, args, cfg) -> {
                orch.submitSub(increment, new TaskArgs().addTensor(source, OUTPUT));
                for (ContinuousTensor r : readers) {
                    orch.submitSub(readPlusOne, new TaskArgs().addTensor(source, INPUT).addTensor(r, OUTPUT));
                }
                TaskArgs all = new TaskArgs();
                for (ContinuousTensor r : readers) {
                    all.addTensor(r, INPUT);
                }
                orch.submitSub(sum, all.addTensor(result, OUTPUT));
            });
            return new ShapeResult(n + 2, seconds, expectEach(memory, List.of(result), 2L * n));
        } finally {
            free(memory, tensors);
        }
    }

    /** N/2 groups of 2 members, each member incrementing its own OUTPUT tensor once. */
    private ShapeResult group(Worker engine, int n) {
        int groups = n / 2;
        List<ContinuousTensor> outs = allocate(engine.memory(), 2 * groups);
        try {
            double seconds = time(engine, (orch, args, cfg) -> inScopes(orch, groups,
                    g -> orch.submitSubGroup(increment, List.of(new TaskArgs().addTensor(outs.get(2 * g), OUTPUT),
                            new TaskArgs().addTensor(outs.get(2 * g + 1), OUTPUT)))));
            return new ShapeResult(2 * groups, seconds, expectEach(engine.memory(), outs, 1));
        } finally {
            free(engine.memory(), outs);
        }
    }

    /**
     * Submits tasks {@code 0 .. n-1} in scopes of {@link #SCOPE_TASKS}, as a long run should: a task is consumed
     * (its slot freed for the task window) only once its scope has ended, so one scope over a million tasks
     * would fill strata.worker.task-window. Tags still order tasks across scopes.
     */
    private static void inScopes(Orchestrator orch, int n, IntConsumer submit) {
        for (int first = 0; first < n; first += SCOPE_TASKS) {
            orch.scopeBegin();
            for (int i = first; i < Math.min(n, first + SCOPE_TASKS); i++) {
                submit.accept(i);
            }
            orch.scopeEnd();
        }
    }

    private static double time(Worker engine, OrchFn orch) {
        long start = System.nanoTime();
        engine.run(Task.of(orch));
        return (System.nanoTime() - start) / 1e9;
    }

    private static List<ContinuousTensor> allocate(TensorMemory memory, int count) {
        List<ContinuousTensor> tensors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tensors.add(memory.allocate(DataType.INT64, 1));
        }
        return tensors;
    }

    private static void free(TensorMemory memory, List<ContinuousTensor> tensors) {
        for (ContinuousTensor t : tensors) {
            memory.free(t);
        }
    }

    /** Null when every tensor holds {@code expected}, else what is wrong. */
    private static String expectEach(TensorMemory memory, List<ContinuousTensor> tensors, long expected) {
        int wrong = 0;
        long firstWrong = 0;
        for (ContinuousTensor t : tensors) {
            long v = memory.longs(t).get(0);
            if (v != expected) {
                firstWrong = wrong == 0 ? v : firstWrong;
                wrong++;
            }
        }
        return wrong == 0 ? null
                : wrong + " of " + tensors.size() + " values differ from " + expected + " (first: " + firstWrong + ")";
    }

    /** Tasks per scope in the shapes that need no join over all of them (all but fan). */
    static final int SCOPE_TASKS = 1000;

    private record ShapeResult(int tasks, double seconds, String problem) {
    }

    @Override
    public String sizeKey() {
        return JobSection.key("tasks");
    }
}
