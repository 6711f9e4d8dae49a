package dev.strata.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.TraceSettings;
import dev.strata.config.WorkerSettings;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The extension's life cycle, driven by hand: presets, closing what it built, failing a test that leaked. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StrataExtensionTest {

    @Test
    void itsBuilderIsPresetForTests() {
        StrataExtension strata = StrataExtension.local();
        strata.beforeEach(null);
        WorkerSettings s = strata.build(strata.builder()).settings();
        assertEquals(StrataExtension.HEAP_RING_BYTES, s.heapRingSize());
        assertEquals(WorkerSettings.MIN_TASK_WINDOW, s.taskWindow());
        assertEquals(TraceSettings.to(""), s.trace(), "traced in memory only");
        assertTrue(s.checkTags(), "the tag checker on");
        strata.afterEach(null);
    }

    @Test
    void afterEachClosesTheWorkersItBuiltAndFindsNothingLeft() {
        StrataExtension strata = StrataExtension.local();
        strata.beforeEach(null);
        Worker w = strata.build(strata.builder().numSubWorkers(1));
        int hello = w.register(ctx -> { });
        w.init();
        w.run(Task.of((orch, a, c) -> orch.submitSub(hello, new dev.strata.protocol.TaskArgs())));
        strata.afterEach(null);
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> w.run(Task.of((o, a, c) -> {
        })));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }

    @Test
    void afterEachFailsATestThatLeftAWorkerOpen() {
        StrataExtension strata = StrataExtension.local().leakGrace(Duration.ofMillis(300));
        strata.beforeEach(null);
        Worker stray = Worker.builder().numSubWorkers(1).heapRingSize(1 << 20).build(); // not through the kit
        try {
            stray.init();
            AssertionError e = assertThrows(AssertionError.class, () -> strata.afterEach(null));
            assertTrue(e.getMessage().startsWith("the test left behind ")
                    && e.getMessage().contains("thread 'strata-"), e.getMessage());
        } finally {
            stray.close();
        }
    }

    @Test
    void itIsUsedInsideATest() {
        StrataExtension strata = StrataExtension.local();
        IllegalStateException e = assertThrows(IllegalStateException.class, strata::builder);
        assertTrue(e.getMessage().contains("inside a test"), e.getMessage());
        strata.beforeEach(null);
        assertThrows(IllegalStateException.class, strata::cluster, "no cluster for local engines");
        strata.afterEach(null);
        assertThrows(IllegalArgumentException.class, () -> StrataExtension.cluster(0));
    }
}
