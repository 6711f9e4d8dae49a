package dev.strata.testkit;

import dev.strata.check.TagViolationException;
import dev.strata.scheduler.RunSummary;
import dev.strata.scheduler.Worker;
import dev.strata.trace.RunTrace;
import dev.strata.trace.TaskStatus;
import dev.strata.trace.TaskTrace;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Assertions on what one finished run did, read from its {@link RunTrace} (and, for failures, its
 * {@link RunSummary}). Each throws {@link AssertionError} saying what happened instead, and returns this, so checks
 * chain: {@code WhatRan.lastRunOf(w).allCompleted().atMostAtOnce("gemm", 2)}. {@link #trace()} is the raw trace
 * for anything else.
 *
 * <p>Tasks are named as the trace names them: a callable by its registered name ({@code sub#<id>} for a sub
 * callable), a task by its slot, a worker by its lane ({@code chip 1}, {@code sub worker 0}; in cluster mode
 * {@code chip 3 @ 127.0.0.1:25522}).
 */
public final class WhatRan {
    private static final String TAG_VIOLATION = TagViolationException.class.getName();

    private final RunTrace trace;
    private final RunSummary summary;
    private final boolean tagsChecked;

    /**
     * Checks on {@code trace}; {@code summary} (may be null) names the failures behind skipped tasks and holds the
     * tag checker's warnings; {@code tagsChecked} says whether the run had the tag checker on.
     */
    public WhatRan(RunTrace trace, RunSummary summary, boolean tagsChecked) {
        this.trace = Objects.requireNonNull(trace, "trace");
        this.summary = summary;
        this.tagsChecked = tagsChecked;
    }

    /**
     * Checks on {@code worker}'s last finished run.
     *
     * @throws IllegalStateException when it has not run yet or traces nothing ({@code strata.trace} off; the
     *                               kit's workers always trace)
     */
    public static WhatRan lastRunOf(Worker worker) {
        RunTrace t = worker.lastRunTrace();
        if (t == null) {
            throw new IllegalStateException(worker + " has no run trace: it has not finished a run, or tracing is off"
                    + " (Worker.Builder.trace(TraceSettings.to(\"\")) keeps traces in memory)");
        }
        return new WhatRan(t, worker.lastRun(), worker.settings().checkTags());
    }

    /** The run's raw trace. */
    public RunTrace trace() {
        return trace;
    }

    /** Every task member of the run completed: none failed, none was skipped. */
    public WhatRan allCompleted() {
        List<TaskTrace> failed = with(t -> t.status() == TaskStatus.FAILED);
        List<TaskTrace> skipped = with(t -> t.status() == TaskStatus.SKIPPED);
        if (!failed.isEmpty() || !skipped.isEmpty()) {
            throw new AssertionError("expected all " + trace.tasks().size() + " task members of run " + trace.run()
                    + " to complete, but " + failed.size() + " failed" + (failed.isEmpty() ? "" : " ("
                    + failed.stream().map(this::describeFailed).collect(Collectors.joining("; ")) + ")") + " and "
                    + skipped.size() + " were skipped" + (skipped.isEmpty() ? "" : " (" + slots(skipped) + ")"));
        }
        return this;
    }

    /**
     * The run's kernels respected their tags, as the tag checker saw it ({@code strata.check.tags}, on in the kit's
     * {@link StrataExtension#builder()}): no task failed for writing a tensor it declared INPUT, and no task wrote
     * one it declared NO_DEP (the run summary's warnings). Fails, too, when the checker was off, since then nothing
     * was checked.
     */
    public WhatRan tagsRespected() {
        if (!tagsChecked) {
            throw new AssertionError("run " + trace.run() + " ran without the tag checker, so its tags were not"
                    + " checked (Worker.Builder.checkTags(true); StrataExtension.builder() turns it on)");
        }
        List<String> wrong = new ArrayList<>();
        if (summary != null) {
            for (RunSummary.TaskFailure f : summary.failures()) {
                // Where the check ran in another JVM or engine (a chip process, a level-3 run) the violation arrives
                // inside that worker's error, named in its message.
                if (f.exceptionClass().equals(TAG_VIOLATION) || f.message() != null
                        && f.message().contains(TAG_VIOLATION)) {
                    wrong.add("task " + f.taskSlot() + " '" + f.callableName() + "' on " + f.worker() + ": "
                            + f.message());
                }
            }
            for (String w : summary.warnings()) {
                wrong.add("warning: " + w);
            }
        }
        if (!wrong.isEmpty()) {
            throw new AssertionError("expected the kernels of run " + trace.run() + " to respect their tags, but "
                    + wrong.size() + " did not: " + String.join("; ", wrong));
        }
        return this;
    }

    /**
     * Task {@code slot} was skipped, and a task it waited for (directly or through other skipped tasks) failed
     * with {@code failure} in its exception's class name or message.
     */
    public WhatRan skipped(int slot, String failure) {
        List<TaskTrace> members = slot(slot);
        checkSkippedBecause("task " + slot + " (" + members.get(0).callable() + ")", members, failure);
        return this;
    }

    /** Every task of {@code callable} was skipped, each because a task it waited for failed with {@code failure}. */
    public WhatRan skipped(String callable, String failure) {
        checkSkippedBecause("every task of '" + callable + "'", callable(callable), failure);
        return this;
    }

    /** Every task of callable {@code first} ended before any task of callable {@code then} started. */
    public WhatRan endedBefore(String first, String then) {
        List<TaskTrace> a = ran(first);
        List<TaskTrace> b = ran(then);
        TaskTrace lastEnd = a.stream().max(Comparator.comparingLong(TaskTrace::endNanos)).orElseThrow();
        TaskTrace firstStart = b.stream().min(Comparator.comparingLong(TaskTrace::startNanos)).orElseThrow();
        if (lastEnd.endNanos() > firstStart.startNanos()) {
            throw new AssertionError("expected every '" + first + "' task to end before any '" + then
                    + "' task started, but '" + then + "' task " + firstStart.slot() + " started on "
                    + firstStart.worker() + " " + micros(firstStart.startNanos()) + " while '" + first + "' task "
                    + lastEnd.slot() + " ended on " + lastEnd.worker() + " " + micros(lastEnd.endNanos())
                    + " (times from the run's start)");
        }
        return this;
    }

    /** At no moment did more than {@code n} tasks of {@code callable} run at once. */
    public WhatRan atMostAtOnce(String callable, int n) {
        List<TaskTrace> ran = ran(callable);
        // Sweep the starts and ends in time order; an end at the same moment as a start comes first.
        List<long[]> events = new ArrayList<>();
        for (int i = 0; i < ran.size(); i++) {
            events.add(new long[] {ran.get(i).startNanos(), 1, i});
            events.add(new long[] {ran.get(i).endNanos(), -1, i});
        }
        events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        Set<Integer> running = new HashSet<>();
        Set<Integer> most = Set.of();
        long mostAt = 0;
        for (long[] e : events) {
            if (e[1] > 0) {
                running.add((int) e[2]);
                if (running.size() > most.size()) {
                    most = Set.copyOf(running);
                    mostAt = e[0];
                }
            } else {
                running.remove((int) e[2]);
            }
        }
        if (most.size() > n) {
            throw new AssertionError("expected at most " + n + " '" + callable + "' task(s) at once, but "
                    + most.size() + " ran at once " + micros(mostAt) + " from the run's start: "
                    + most.stream().sorted().map(i -> "task " + ran.get(i).slot() + " on " + ran.get(i).worker())
                    .collect(Collectors.joining(", ")));
        }
        return this;
    }

    /**
     * Every member of task {@code slot} ran on {@code where}: a worker's lane ({@code chip 1}) or, in cluster
     * mode, a worker node ({@code 127.0.0.1:25522}, matching lanes {@code chip 3 @ 127.0.0.1:25522}).
     */
    public WhatRan ranOn(int slot, String where) {
        checkRanOn("task " + slot, slot(slot), where);
        return this;
    }

    /** Every task of {@code callable} ran on {@code where}, a worker's lane or a worker node (see above). */
    public WhatRan ranOn(String callable, String where) {
        checkRanOn("every task of '" + callable + "'", callable(callable), where);
        return this;
    }

    // ---- the checks' parts -------------------------------------------------------------------------------------

    private void checkSkippedBecause(String what, List<TaskTrace> members, String failure) {
        for (TaskTrace t : members) {
            if (t.status() != TaskStatus.SKIPPED) {
                throw new AssertionError("expected " + what + " to be skipped because of '" + failure + "', but task "
                        + t.slot() + " " + (t.status() == TaskStatus.COMPLETED ? "completed" : "failed itself: "
                        + describeFailed(t)) + (t.ran() ? " on " + t.worker() : ""));
            }
            List<TaskTrace> causes = failedUpstream(t);
            if (causes.stream().noneMatch(c -> failureOf(c).contains(failure))) {
                throw new AssertionError("expected " + what + " to be skipped because of '" + failure + "', but task "
                        + t.slot() + " was skipped because of " + (causes.isEmpty() ? "no failed task upstream"
                        : causes.stream().map(this::describeFailed).collect(Collectors.joining("; "))));
            }
        }
    }

    private void checkRanOn(String what, List<TaskTrace> members, String where) {
        for (TaskTrace t : members) {
            if (!t.ran() || !(t.worker().equals(where) || t.worker().endsWith(" @ " + where))) {
                throw new AssertionError("expected " + what + " to run on " + where + ", but task " + t.slot()
                        + (t.groupSize() > 1 ? " member " + t.groupIndex() : "") + " ("
                        + t.callable() + ") " + (t.ran() ? "ran on " + t.worker() : "never ran: " + t.status()));
            }
        }
    }

    /** The failed members that {@code skipped} waited for, through any number of skipped producers. */
    private List<TaskTrace> failedUpstream(TaskTrace skipped) {
        Map<Integer, List<TaskTrace>> bySlot = new HashMap<>();
        trace.tasks().forEach(t -> bySlot.computeIfAbsent(t.slot(), s -> new ArrayList<>()).add(t));
        List<TaskTrace> failed = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        Deque<Integer> todo = new ArrayDeque<>();
        for (int p : skipped.producers()) {
            todo.add(p);
        }
        while (!todo.isEmpty()) {
            int slot = todo.pop();
            if (!seen.add(slot)) {
                continue;
            }
            for (TaskTrace t : bySlot.getOrDefault(slot, List.of())) {
                if (t.status() == TaskStatus.FAILED) {
                    failed.add(t);
                } else if (t.status() == TaskStatus.SKIPPED) {
                    for (int p : t.producers()) {
                        todo.add(p);
                    }
                }
            }
        }
        return failed;
    }

    /** What a failed member threw, {@code Class: message}, from the run summary; its callable when unknown. */
    private String failureOf(TaskTrace t) {
        if (summary != null) {
            for (RunSummary.TaskFailure f : summary.failures()) {
                if (f.taskSlot() == t.slot() && f.groupIndex() == t.groupIndex()) {
                    return f.exceptionClass() + ": " + f.message();
                }
            }
        }
        return "(no failure recorded for task " + t.slot() + ")";
    }

    private String describeFailed(TaskTrace t) {
        return "task " + t.slot() + " '" + t.callable() + "'" + (t.worker().isEmpty() ? "" : " on " + t.worker())
                + ": " + failureOf(t);
    }

    private List<TaskTrace> with(Predicate<TaskTrace> p) {
        return trace.tasks().stream().filter(p).toList();
    }

    private List<TaskTrace> slot(int slot) {
        List<TaskTrace> members = with(t -> t.slot() == slot);
        if (members.isEmpty()) {
            throw new AssertionError("run " + trace.run() + " has no task " + slot + "; its tasks are "
                    + slots(trace.tasks()));
        }
        return members;
    }

    private List<TaskTrace> callable(String callable) {
        List<TaskTrace> members = with(t -> t.callable().equals(callable));
        if (members.isEmpty()) {
            throw new AssertionError("run " + trace.run() + " has no task of '" + callable + "'; it ran "
                    + trace.tasks().stream().map(TaskTrace::callable).distinct().toList());
        }
        return members;
    }

    private List<TaskTrace> ran(String callable) {
        List<TaskTrace> members = callable(callable);
        List<TaskTrace> ran = members.stream().filter(TaskTrace::ran).toList();
        if (ran.isEmpty()) {
            throw new AssertionError("no task of '" + callable + "' ran in run " + trace.run() + ": "
                    + members.stream().map(t -> "task " + t.slot() + " " + t.status()).toList());
        }
        return ran;
    }

    private static String slots(List<TaskTrace> tasks) {
        return tasks.stream().map(t -> String.valueOf(t.slot())).distinct().collect(Collectors.joining(", ",
                "slots ", ""));
    }

    private String micros(long nanos) {
        return "at " + (nanos - trace.startNanos()) / 1000 + " us";
    }

    @Override
    public String toString() {
        return "WhatRan[" + trace + "]";
    }
}
