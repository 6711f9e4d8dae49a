package dev.strata.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.config.TraceSettings;
import dev.strata.config.WorkerSettings;
import dev.strata.protocol.TaskArgs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The run loop on a real engine, without the Worker facade around it. */
@Timeout(60)
class RunLoopTest {
    private final Callables callables = new Callables();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final int noop = callables.addSub(ctx -> { });
    private final int blocking = callables.addSub(ctx -> {
        started.countDown();
        release.await(30, TimeUnit.SECONDS);
    });
    private RunLoop loop;

    private RunLoop start(WorkerSettings settings) {
        Engine engine = Engine.start(settings, ConfigFactory.load(), callables);
        loop = new RunLoop(settings, engine, callables.catalog(false, settings.subWorkers(), 0, Catalog.NO_LIMIT));
        return loop;
    }

    private static WorkerSettings settings() {
        return WorkerSettings.defaults().withSubWorkers(1).withHeapRingSize(1 << 20);
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (loop != null) {
            loop.close(true);
        }
    }

    @Test
    void progressIsNoneBeforeTheFirstRunAndStopsWithTheRun() {
        RunLoop l = start(settings());
        assertEquals(RunProgress.NONE, l.progress());
        assertNull(l.lastRun());
        l.run(Task.of((orch, args, cfg) -> {
            orch.submitSub(noop);
            orch.submitSub(noop);
        }));
        RunProgress after = l.progress();
        assertFalse(after.active());
        assertEquals(2, after.done());
        assertEquals(after.elapsed(), l.progress().elapsed(), "a finished run's clock stands still");
        assertEquals(2, l.lastRun().completedTasks());
    }

    @Test
    void progressIsActiveDuringARun() throws Exception {
        RunLoop l = start(settings());
        CompletableFuture<Void> run = CompletableFuture.runAsync(
                () -> l.run(Task.of((orch, args, cfg) -> orch.submitSub(blocking))));
        assertTrue(started.await(20, TimeUnit.SECONDS));
        assertTrue(l.progress().active());
        release.countDown();
        run.get(20, TimeUnit.SECONDS);
        assertFalse(l.progress().active());
    }

    @Test
    void eachRunWritesItsTraceToItsOwnFile(@TempDir Path dir) {
        Path file = dir.resolve("t.json");
        RunLoop l = start(settings().withTrace(TraceSettings.to(file.toString())));
        l.run(Task.of((orch, args, cfg) -> orch.submitSub(noop)));
        l.run(Task.of((orch, args, cfg) -> orch.submitSub(noop, new TaskArgs().addScalar(1))));
        assertTrue(Files.exists(file), "run 1");
        assertTrue(Files.exists(dir.resolve("t-2.json")), "run 2");
        assertEquals(2, l.lastRunTrace().run());
        assertEquals(1, l.lastRun().tracedTasks());
    }

    @Test
    void stopFailsTheRunInProgressAndEveryLaterOne() throws Exception {
        RunLoop l = start(settings());
        CompletableFuture<Throwable> run = CompletableFuture.supplyAsync(() -> {
            try {
                l.run(Task.of((orch, args, cfg) -> orch.submitSub(blocking)));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertTrue(started.await(20, TimeUnit.SECONDS));
        l.stop();
        Throwable failure = run.get(20, TimeUnit.SECONDS);
        assertInstanceOf(TaskFailedException.class, failure);
        assertTrue(failure.getMessage().contains("closed during a run"), failure.getMessage());
        IllegalStateException later = assertThrows(IllegalStateException.class,
                () -> l.run(Task.of((orch, args, cfg) -> { })));
        assertTrue(later.getMessage().contains("cannot run any more: closed during a run"), later.getMessage());
    }

    @Test
    void aRunThatDoesNotDrainInTimeNamesTheSetting() {
        RunLoop l = start(settings().withRunTimeout(Duration.ofMillis(200)));
        TaskFailedException e = assertThrows(TaskFailedException.class,
                () -> l.run(Task.of((orch, args, cfg) -> orch.submitSub(blocking))));
        assertTrue(e.getMessage().contains("strata.run.timeout"), e.getMessage());
        assertFalse(l.progress().active(), "a failed run's clock stops too");
    }
}
