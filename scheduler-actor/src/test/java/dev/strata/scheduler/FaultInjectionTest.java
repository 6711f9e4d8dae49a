package dev.strata.scheduler;

import static dev.strata.protocol.TensorArgType.INOUT;
import static dev.strata.protocol.TensorArgType.INPUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.TraceSettings;
import dev.strata.dispatch.DispatchPoint;
import dev.strata.dispatch.FaultPlan;
import dev.strata.process.TestKernels;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.trace.RunReport;
import dev.strata.trace.RunTrace;
import dev.strata.trace.TaskStatus;
import dev.strata.trace.TaskTrace;
import dev.strata.trace.TraceMark;
import dev.strata.worker.InjectedFault;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A {@link FaultPlan} on the builder: the scheduler asks it about every dispatch, the worker applies the answer where
 * the task would run, and the trace records each fault — in THREAD and PROCESS mode alike.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FaultInjectionTest {

    /** add(x) then add(x) on one INOUT tensor: the second depends on the first. */
    private static void twoAdds(Worker w, long add, ContinuousTensor x) {
        w.run(Task.of((orch, args, cfg) -> {
            orch.submitNextLevel(add, new TaskArgs().addTensor(x, INOUT).addScalar(1), CallConfig.DEFAULT);
            orch.submitNextLevel(add, new TaskArgs().addTensor(x, INOUT).addScalar(2), CallConfig.DEFAULT);
        }));
    }

    private static Worker traced(Worker.Builder b, FaultPlan plan) {
        return b.numChipWorkers(2).heapRingSize(1 << 20).trace(TraceSettings.to("")).faults(plan).build();
    }

    /** Fails the first dispatch of "add" it sees, once. */
    private static FaultPlan failFirstAdd(List<DispatchPoint> seen) {
        AtomicBoolean fired = new AtomicBoolean();
        return p -> {
            seen.add(p);
            return p.callable().equals("add") && fired.compareAndSet(false, true)
                    ? InjectedFault.fail("disk on fire") : null;
        };
    }

    private static void failsOnceThenRunsClean(Worker w) {
        long add = w.registerChipCallable("add", new TestKernels.AddScalar());
        w.init();
        ContinuousTensor x = w.memory().allocate(DataType.FLOAT32, 4);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> twoAdds(w, add, x));
        assertTrue(String.valueOf(e.getMessage()).contains("injected fault: disk on fire")
                || String.valueOf(e.getCause()).contains("injected fault: disk on fire"), e::toString);
        assertEquals(0f, w.memory().floats(x).get(0), "the faulty task did not run, its dependent was skipped");
        RunTrace trace = w.lastRunTrace();
        List<TaskStatus> statuses = trace.tasks().stream().map(TaskTrace::status).toList();
        assertEquals(List.of(TaskStatus.FAILED, TaskStatus.SKIPPED), statuses);
        TraceMark mark = trace.marks().get(0);
        assertEquals("fault", mark.name());
        assertEquals("add slot " + trace.tasks().get(0).slot() + ": fail: disk on fire", mark.detail());
        assertEquals(trace.tasks().get(0).worker(), mark.worker());
        String report = RunReport.html(trace);
        assertTrue(report.contains("<table id=\"marks\">") && report.contains("fail: disk on fire"),
                "the run report lists the fault");
        twoAdds(w, add, x); // the worker stays usable, the plan has fired
        assertEquals(3f, w.memory().floats(x).get(0));
        assertTrue(w.lastRunTrace().marks().isEmpty());
    }

    @Test
    void anInjectedFailureFailsTheTaskSkipsItsDependentAndIsInTheTrace() {
        List<DispatchPoint> seen = new CopyOnWriteArrayList<>();
        try (Worker w = traced(Worker.builder(), failFirstAdd(seen))) {
            failsOnceThenRunsClean(w);
        }
        // Asked once per dispatch: the failed task in run 0 (its dependent too if it was sent early, to be skipped
        // by the worker), then both tasks of run 1.
        assertEquals(0, seen.get(0).run());
        assertEquals(2, seen.stream().filter(p -> p.run() == 1).count(), seen::toString);
        assertTrue(seen.get(0).worker().startsWith("chip "), seen::toString);
    }

    @Test
    void faultsMeanTheSameInProcessMode() {
        try (Worker w = traced(Worker.builder().mode(WorkerMode.PROCESS), failFirstAdd(new CopyOnWriteArrayList<>()))) {
            failsOnceThenRunsClean(w);
        }
    }

    @Test
    void anInjectedDelayStartsTheTaskLaterAndTheSubCallableStillRuns() {
        FaultPlan plan = p -> p.callable().startsWith("sub#") ? InjectedFault.delay(Duration.ofMillis(200)) : null;
        try (Worker w = Worker.builder().numSubWorkers(1).heapRingSize(1 << 20).trace(TraceSettings.to(""))
                .faults(plan).build()) {
            List<Long> ran = new CopyOnWriteArrayList<>();
            int sub = w.register(ctx -> ran.add(ctx.args().scalar(0)));
            w.init();
            w.run(Task.of((orch, args, cfg) -> orch.submitSub(sub, new TaskArgs().addScalar(7))));
            assertEquals(List.of(7L), ran);
            TaskTrace t = w.lastRunTrace().tasks().get(0);
            assertTrue(t.startNanos() - t.dispatchNanos() >= 200_000_000L, t::toString);
            assertEquals("sub#" + sub + " slot " + t.slot() + ": delay 200 ms",
                    w.lastRunTrace().marks().get(0).detail());
        }
    }

    /** The threads now held by an injected delay (a {@code hold} frame on their stack). */
    private static List<Thread> holding() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals("hold")
                        && f.getClassName().startsWith("dev.strata.")))
                .map(java.util.Map.Entry::getKey).toList();
    }

    @ParameterizedTest
    @EnumSource(WorkerMode.class)
    void closeEndsAnInjectedDelayAsItEndsARunningTask(WorkerMode mode) throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        FaultPlan tenMinutes = p -> {
            asked.countDown();
            return InjectedFault.delay(Duration.ofMinutes(10));
        };
        Worker w = Worker.builder().mode(mode).numChipWorkers(1).heapRingSize(1 << 20)
                .runTimeout(Duration.ofSeconds(1)).faults(tenMinutes).build();
        List<Thread> held;
        try {
            long add = w.registerChipCallable("add", new TestKernels.AddScalar());
            w.init();
            ContinuousTensor x = w.memory().allocate(DataType.FLOAT32, 1);
            assertThrows(TaskFailedException.class, () -> twoAdds(w, add, x), "the run times out, the task held");
            assertTrue(asked.await(10, TimeUnit.SECONDS));
            held = holding();
            assertEquals(1, held.size(), "one worker thread held by the delay: " + held);
        } finally {
            w.close();
        }
        for (Thread t : held) {
            t.join(TimeUnit.SECONDS.toMillis(20)); // a worker thread ends with the engine's actor system
        }
        assertEquals(List.of(), holding(), "no thread is still held by the delay after close()");
    }

    @Test
    void aPlanThatThrowsFailsTheTaskNamingThePlan() {
        FaultPlan plan = p -> {
            throw new IllegalStateException("bad predicate");
        };
        try (Worker w = traced(Worker.builder(), plan)) {
            long add = w.registerChipCallable("add", new TestKernels.AddScalar());
            w.init();
            ContinuousTensor x = w.memory().allocate(DataType.FLOAT32, 4);
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> w.run(Task.of((orch, a, c) ->
                    orch.submitNextLevel(add, new TaskArgs().addTensor(x, INPUT).addScalar(1), CallConfig.DEFAULT))));
            assertTrue(String.valueOf(e.getMessage()).contains("the fault plan threw")
                    || String.valueOf(e.getCause()).contains("the fault plan threw"), e::toString);
        }
    }
}
