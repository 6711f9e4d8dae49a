package dev.strata.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.dispatch.DispatchPoint;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import dev.strata.scheduler.WorkerMode;
import dev.strata.trace.TaskStatus;
import dev.strata.trace.TaskTrace;
import dev.strata.trace.TraceMark;
import dev.strata.worker.InjectedFault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each local fault injected through the extension's engines and seen in what ran and in the trace. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FaultsTest {
    @RegisterExtension
    final StrataExtension strata = StrataExtension.local();

    private long fill;
    private long addOne;

    private Worker engine(Worker.Builder b) {
        Worker w = strata.build(b);
        fill = w.registerChipCallable("fill", new TestKernels.Fill());
        addOne = w.registerChipCallable("add-one", new TestKernels.AddOne());
        w.init();
        return w;
    }

    /** fill(t, 5) then add-one(t) for each tensor: slots 0, 1 for the first, 2, 3 for the second... */
    private void fillAndAdd(Worker w, List<ContinuousTensor> tensors) {
        w.run(Task.of((orch, a, c) -> {
            for (ContinuousTensor t : tensors) {
                orch.submitNextLevel(fill, new TaskArgs().addTensor(t, TensorArgType.OUTPUT_EXISTING).addScalar(5),
                        CallConfig.DEFAULT);
                orch.submitNextLevel(addOne, new TaskArgs().addTensor(t, TensorArgType.INOUT), CallConfig.DEFAULT);
            }
        }));
    }

    private static List<ContinuousTensor> tensors(Worker w, int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> w.memory().allocate(DataType.FLOAT32, 4))
                .toList();
    }

    private static List<TraceMark> faultMarks(Worker w) {
        return w.lastRunTrace().marks().stream().filter(m -> m.name().equals("fault")).toList();
    }

    private static List<String> details(List<TraceMark> marks) {
        return marks.stream().map(TraceMark::detail).toList();
    }

    @Test
    void failNextFailsOnlyTheNextCallAndItsDependentsAreSkipped() {
        Worker w = engine(strata.builder().numChipWorkers(1));
        List<ContinuousTensor> ts = tensors(w, 2);
        strata.faults().failNext("fill");
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> fillAndAdd(w, ts));
        assertEquals("fill", e.callableName());
        WhatRan.lastRunOf(w).skipped(1, "injected fault: next call of 'fill'").ranOn(2, "chip 0").ranOn(3, "chip 0");
        assertArrayEquals(new float[] {6, 6, 6, 6}, w.memory().readFloats(ts.get(1)), "the second fill ran");
        assertEquals(List.of("fill slot 0: fail: next call of 'fill'"), details(faultMarks(w)));

        fillAndAdd(w, ts); // the rule is used up
        WhatRan.lastRunOf(w).allCompleted();
        assertEquals(List.of(), faultMarks(w));
    }

    @Test
    void failEveryFailsTheDispatchesItsPredicateAccepts() {
        Worker w = engine(strata.builder().numChipWorkers(2));
        List<ContinuousTensor> ts = tensors(w, 3);
        strata.faults().failEvery(p -> p.callable().equals("add-one") && p.slot() != 1);
        assertThrows(TaskFailedException.class, () -> fillAndAdd(w, ts));
        WhatRan ran = WhatRan.lastRunOf(w);
        List<Integer> failed = ran.trace().tasks().stream().filter(t -> t.status() == TaskStatus.FAILED)
                .map(TaskTrace::slot).toList();
        assertEquals(List.of(3, 5), failed);
        assertEquals(2, faultMarks(w).size(), faultMarks(w).toString());
        assertTrue(faultMarks(w).get(0).detail().contains("of 'add-one'"), faultMarks(w).toString());
        // Failing runs again: the rule holds for every run.
        assertThrows(TaskFailedException.class, () -> fillAndAdd(w, ts));
    }

    @Test
    void delayStartsEachCallLater() {
        Worker w = engine(strata.builder().numChipWorkers(1));
        strata.faults().delay("add-one", Duration.ofMillis(300));
        fillAndAdd(w, tensors(w, 1));
        WhatRan ran = WhatRan.lastRunOf(w).allCompleted();
        TaskTrace fillTask = ran.trace().tasks().get(0);
        TaskTrace added = ran.trace().tasks().get(1);
        assertTrue(added.startNanos() - fillTask.endNanos() >= 300_000_000L, "add-one started "
                + (added.startNanos() - fillTask.endNanos()) / 1000 + " us after fill ended");
        assertEquals(List.of("add-one slot 1: delay 300 ms"), details(faultMarks(w)));
    }

    @Test
    void killChipProcessAtKillsTheChildTheDispatchGoesToAndTheChipGetsAFreshOne() throws Exception {
        // One dispatch in flight at a time: the kill at the second fill meets an idle child.
        Worker w = engine(strata.builder().numChipWorkers(1).mode(WorkerMode.PROCESS).queueDepth(1));
        List<ContinuousTensor> ts = tensors(w, 3);
        java.util.concurrent.CompletableFuture<Long> killed = strata.faults().killChipProcessAt("fill", 2);
        try {
            fillAndAdd(w, ts);
        } catch (TaskFailedException e) {
            // The proxy may post the dispatch before it sees its child gone: then that task fails. Either way:
            assertTrue(e.getMessage().contains("chip 0"), e.getMessage());
        }
        long pid = killed.get(30, TimeUnit.SECONDS);
        Optional<ProcessHandle> child = ProcessHandle.of(pid);
        if (child.isPresent()) {
            child.get().onExit().get(30, TimeUnit.SECONDS);
        }
        assertFalse(child.isPresent() && child.get().isAlive(), "pid " + pid + " was killed");
        assertTrue(w.metrics().getChipProcessRestarts() >= 1, "chip 0 started a fresh child");
        assertEquals(List.of("fill slot 2: kill chip 0's process (pid " + pid + ")"), details(faultMarks(w)));
        fillAndAdd(w, ts); // and the fresh child runs the next run
        WhatRan.lastRunOf(w).allCompleted();
    }

    @Test
    void rulesThatHitOneDispatchAddUp() {
        Faults f = new Faults(null).delay("k", Duration.ofMillis(5)).failNext("k").delay("k", Duration.ofMillis(7));
        InjectedFault both = f.at(new DispatchPoint("k", 0, 0, "chip 0", 0));
        assertEquals(new InjectedFault("next call of 'k'", 12, "delay 5 ms; fail: next call of 'k'; delay 7 ms"),
                both);
        InjectedFault second = f.at(new DispatchPoint("k", 1, 0, "chip 0", 0));
        assertEquals(12, second.delayMillis(), "both delays again");
        assertEquals(null, second.failure(), "the failure was for the next call only");
        assertEquals(null, f.at(new DispatchPoint("other", 2, 0, "chip 0", 0)));
        assertThrows(IllegalStateException.class, () -> f.crashNodeAt(0, "k", 1), "local engines have no nodes");
    }

    @Test
    void chipIndexReadsTheLaneName() {
        assertEquals(Optional.of(3), Faults.chipIndex("chip 3"));
        assertEquals(Optional.of(12), Faults.chipIndex("chip 12 @ 127.0.0.1:25522"));
        assertEquals(Optional.empty(), Faults.chipIndex("sub worker 0"));
    }
}
