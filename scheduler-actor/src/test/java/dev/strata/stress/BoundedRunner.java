package dev.strata.stress;

import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Runs {@link Worker#run} on one long-lived orchestrator thread with a deadline per run, so a run that
 * hangs fails the test at once (naming the DAG and dumping the threads) instead of blocking the suite.
 */
final class BoundedRunner implements AutoCloseable {

    /** How a run ended: {@code failure} null on success; {@code returnedAt} is a clock tick taken after it returned. */
    record Result(Throwable failure, long returnedAt) {
    }

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "stress-orchestrator");
        t.setDaemon(true); // a hung run must not keep the test JVM alive
        return t;
    });

    /**
     * Runs {@code task} on {@code worker}, waiting at most {@code limit}; ticks {@code clock} once right after
     * {@code run} returned or threw.
     *
     * @throws AssertionError if the run did not return within {@code limit}, with {@code context} and a thread dump
     */
    Result run(Worker worker, Task task, AtomicLong clock, Duration limit, Supplier<String> context) {
        Future<Result> f = thread.submit(() -> {
            Throwable failure = null;
            try {
                worker.run(task);
            } catch (Throwable t) {
                failure = t;
            }
            return new Result(failure, clock.incrementAndGet());
        });
        try {
            return f.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("Worker.run did not return within " + limit + " (hang): " + context.get()
                    + "\n" + threadDump(), e);
        } catch (ExecutionException e) {
            throw new AssertionError("runner failed: " + context.get(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a run: " + context.get(), e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    private static String threadDump() {
        StringBuilder b = new StringBuilder("threads:\n");
        for (ThreadInfo ti : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            String name = ti.getThreadName();
            if (!name.contains("strata") && !name.contains("stress")) {
                continue;
            }
            b.append('"').append(name).append("\" ").append(ti.getThreadState()).append('\n');
            StackTraceElement[] st = ti.getStackTrace();
            for (int i = 0; i < Math.min(st.length, 12); i++) {
                b.append("    at ").append(st[i]).append('\n');
            }
        }
        return b.toString();
    }
}
