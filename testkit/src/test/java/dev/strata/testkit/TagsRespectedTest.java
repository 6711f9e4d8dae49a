package dev.strata.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import dev.strata.scheduler.WorkerMode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The kit's engines check tags: a kernel writing what it declared INPUT or NO_DEP is caught and named. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TagsRespectedTest {
    @RegisterExtension
    final StrataExtension strata = StrataExtension.local();

    private Worker worker;
    private long addOne;
    private ContinuousTensor t;

    private void start(Worker.Builder b) {
        worker = strata.build(b.numChipWorkers(1));
        addOne = worker.registerChipCallable("add-one", new TestKernels.AddOne());
        worker.init();
        t = worker.memory().allocate(DataType.FLOAT32, 4);
    }

    /** Runs add-one (which writes its tensor) with that tensor tagged {@code tag}. */
    private void addOneTagged(TensorArgType tag) {
        worker.run(Task.of((orch, a, c) -> orch.submitNextLevel(addOne, new TaskArgs().addTensor(t, tag),
                CallConfig.DEFAULT)));
    }

    @Test
    void rightTagsPass() {
        start(strata.builder());
        addOneTagged(TensorArgType.INOUT);
        WhatRan.lastRunOf(worker).allCompleted().tagsRespected();
        assertEquals(1f, worker.memory().floats(t).get(0));
    }

    @ParameterizedTest
    @EnumSource(WorkerMode.class) // in PROCESS mode the check runs in the chip's child JVM
    void aWrittenInputFailsItsTaskAndTheAssertionNamesIt(WorkerMode mode) {
        start(strata.builder().mode(mode));
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> addOneTagged(TensorArgType.INPUT));
        assertTrue(e.getMessage().contains("add-one") && e.getMessage().contains("INPUT"), e.getMessage());
        AssertionError m = assertThrows(AssertionError.class, () -> WhatRan.lastRunOf(worker).tagsRespected());
        assertTrue(m.getMessage().contains("1 did not: task 0 'add-one' on chip 0:")
                && m.getMessage().contains("declared INPUT but written"), m.getMessage());
        addOneTagged(TensorArgType.INOUT); // the worker stays usable
        WhatRan.lastRunOf(worker).tagsRespected();
    }

    @Test
    void aWrittenNoDepIsAWarningTheAssertionReports() {
        start(strata.builder());
        addOneTagged(TensorArgType.NO_DEP); // the run completes: NO_DEP may be written on purpose
        WhatRan ran = WhatRan.lastRunOf(worker).allCompleted();
        AssertionError m = assertThrows(AssertionError.class, ran::tagsRespected);
        assertTrue(m.getMessage().contains("warning: ") && m.getMessage().contains("NO_DEP"), m.getMessage());
    }

    @Test
    void withTheCheckerOffNothingIsClaimed() {
        start(strata.builder().checkTags(false));
        addOneTagged(TensorArgType.INPUT); // not caught
        AssertionError m = assertThrows(AssertionError.class, () -> WhatRan.lastRunOf(worker).tagsRespected());
        assertTrue(m.getMessage().contains("without the tag checker"), m.getMessage());
    }
}
