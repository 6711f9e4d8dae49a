package dev.strata.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import dev.strata.worker.GroupTaskWorker;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class InterruptibleWorkerTest {
    private static final TaskArgsView NO_ARGS = new TaskArgs().view();

    /** A worker whose tasks run a given body; counts closes. */
    private static final class Body implements GroupTaskWorker {
        interface Code {
            void run() throws Exception;
        }

        private final Code code;
        final AtomicInteger closes = new AtomicInteger();

        Body(Code code) {
            this.code = code;
        }

        @Override
        public void run(long callable, TaskArgsView args, CallConfig config, int groupIndex) throws Exception {
            code.run();
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void stopInterruptsTheRunningTaskAndClosesTheWorker() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Body body = new Body(() -> {
            started.countDown();
            Thread.sleep(Long.MAX_VALUE);
        });
        InterruptibleWorker w = new InterruptibleWorker(body);
        CompletableFuture<Void> task = CompletableFuture.runAsync(() -> run(w));
        assertTrue(started.await(10, TimeUnit.SECONDS));

        w.stop();

        ExecutionException e = assertThrows(ExecutionException.class, () -> task.get(10, TimeUnit.SECONDS));
        assertInstanceOf(InterruptedException.class, e.getCause().getCause());
        assertEquals(1, body.closes.get());
    }

    @Test
    void afterStopNoTaskStarts() {
        AtomicInteger ran = new AtomicInteger();
        InterruptibleWorker w = new InterruptibleWorker(new Body(ran::incrementAndGet));
        w.stop();

        CancellationException e = assertThrows(CancellationException.class,
                () -> w.run(0, NO_ARGS, CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains("closing"), e.getMessage());
        assertEquals(0, ran.get());
    }

    @Test
    void anInterruptLeftByATaskDoesNotReachTheThreadsNextWork() throws Exception {
        InterruptibleWorker w = new InterruptibleWorker(new Body(() -> Thread.currentThread().interrupt()));

        w.run(0, NO_ARGS, CallConfig.DEFAULT, 0);

        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void stopBetweenTasksInterruptsNoThread() throws Exception {
        InterruptibleWorker w = new InterruptibleWorker(new Body(() -> { }));
        w.run(0, NO_ARGS, CallConfig.DEFAULT, 0);

        w.stop();

        assertFalse(Thread.currentThread().isInterrupted(), "the thread that ran the last task is left alone");
    }

    @Test
    void closeClosesTheWrappedWorker() {
        Body body = new Body(() -> { });
        new InterruptibleWorker(body).close();
        assertEquals(1, body.closes.get());
    }

    private static void run(InterruptibleWorker w) {
        try {
            w.run(0, NO_ARGS, CallConfig.DEFAULT, 0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
