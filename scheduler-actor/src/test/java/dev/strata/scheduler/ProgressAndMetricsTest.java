package dev.strata.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Worker.progress() during and after a run, and the engine's JMX bean over its life. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ProgressAndMetricsTest {

    @Test
    void progressCountsARunningTaskAndThenTheFinishedRun() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Queue depth 1: nothing queues behind the blocked task, so "running" is exactly the blocked one.
        try (Worker w = Worker.builder().numSubWorkers(2).queueDepth(1).heapRingSize(1 << 20).build()) {
            int block = w.register(ctx -> {
                started.countDown();
                release.await();
            });
            int noop = w.register(ctx -> { });
            assertEquals(RunProgress.NONE, w.progress());
            w.init();
            assertEquals(RunProgress.NONE, w.progress());
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> w.run(Task.of((orch, args, cfg) -> {
                orch.submitSub(block);
                for (int i = 0; i < 10; i++) {
                    orch.submitSub(noop);
                }
            })));
            try {
                assertTrue(started.await(30, TimeUnit.SECONDS));
                // The scheduler publishes its counts right after each message; poll them, bounded.
                RunProgress during = awaitProgress(w, p -> p.submitted() == 11 && p.running() == 1
                        && p.done() == 10);
                assertTrue(during.active());
                assertEquals(0, during.failed());
            } finally {
                release.countDown();
            }
            run.get(30, TimeUnit.SECONDS);
            RunProgress after = w.progress();
            assertFalse(after.active());
            assertEquals(new RunProgress(11, 0, 11, 0, 0, after.elapsed(), false), after);
            assertTrue(after.elapsed().toNanos() > 0 && after.tasksPerSecond() > 0);
            assertEquals(after.elapsed(), w.progress().elapsed(), "elapsed stops with the run");
        }
    }

    @Test
    void mbeanIsRegisteredCountsRunsAndIsUnregisteredAtClose() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name;
        try (Worker w = Worker.builder().numSubWorkers(2).heapRingSize(1 << 20).build()) {
            int ok = w.register(ctx -> { });
            int fail = w.register(ctx -> {
                throw new IllegalStateException("no");
            });
            w.init();
            name = w.metricsName();
            assertEquals("dev.strata", name.getDomain());
            assertEquals("Engine", name.getKeyProperty("type"));
            assertTrue(server.isRegistered(name));
            assertEquals(0L, server.getAttribute(name, "Runs"));
            ContinuousTensor t = w.memory().allocate(DataType.FLOAT32, 4);
            w.run(Task.of((orch, args, cfg) -> {
                for (int i = 0; i < 20; i++) {
                    orch.submitSub(ok);
                }
            }));
            assertThrows(TaskFailedException.class, () -> w.run(Task.of((orch, args, cfg) -> {
                orch.submitSub(fail, new TaskArgs().addTensor(t, TensorArgType.INOUT));
                orch.submitSub(ok, new TaskArgs().addTensor(t, TensorArgType.INPUT));
                orch.submitSub(ok);
            })));
            assertEquals(2L, server.getAttribute(name, "Runs"));
            assertEquals(21L, server.getAttribute(name, "TasksCompleted"));
            assertEquals(1L, server.getAttribute(name, "TasksFailed"));
            assertEquals(1L, server.getAttribute(name, "TasksSkipped"));
            assertEquals(0L, server.getAttribute(name, "CurrentTasksRunning"));
            assertEquals(0L, server.getAttribute(name, "CurrentReadyQueueLength"));
            assertEquals(0L, server.getAttribute(name, "HeapUsedBytes"));
            assertEquals(1L << 20, server.getAttribute(name, "HeapSizeBytes"));
            assertTrue((Long) server.getAttribute(name, "LastRunWallMicros") > 0);
            double p50 = (Double) server.getAttribute(name, "LastRunTaskDurationP50Micros");
            double p99 = (Double) server.getAttribute(name, "LastRunTaskDurationP99Micros");
            assertTrue(p50 >= 0 && p99 >= p50, p50 + " " + p99);
            assertTrue((Double) server.getAttribute(name, "LastRunDispatchLatencyP99Micros") > 0);
            assertEquals(w.metrics().getTasksCompleted(), 21L);
        }
        assertFalse(server.isRegistered(name));
    }

    @Test
    void twoEnginesHaveTwoBeans() {
        try (Worker a = Worker.builder().numSubWorkers(1).heapRingSize(1 << 20).build();
             Worker b = Worker.builder().numSubWorkers(1).heapRingSize(1 << 20).build()) {
            a.init();
            b.init();
            assertFalse(a.metricsName().equals(b.metricsName()));
        }
    }

    private static RunProgress awaitProgress(Worker w, java.util.function.Predicate<RunProgress> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        RunProgress p = w.progress();
        while (!done.test(p)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("progress never reached the expected counts: " + p);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            p = w.progress();
        }
        return p;
    }
}
