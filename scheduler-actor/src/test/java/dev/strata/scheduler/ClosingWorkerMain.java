package dev.strata.scheduler;

import dev.strata.protocol.SubCallable;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A user's {@code main} for {@link WorkerCloseTest}, run in a JVM of its own: it builds a Worker with one sub
 * worker, runs a sub task that sleeps until interrupted, closes the worker and returns from main without
 * {@code System.exit}, so the JVM ends only if no thread of Strata holds it. It prints what it saw, one fact per
 * line, for the test to check.
 *
 * <ul>
 *   <li>{@code hang}: the run fails at a 1 s {@code strata.run.timeout}, then close() must stop the task;</li>
 *   <li>{@code fatal}: while the task sleeps, an engine actor throws an {@code OutOfMemoryError}; the JVM must
 *       live on, the run fail, the worker say it is broken, and close() still work.</li>
 * </ul>
 */
public final class ClosingWorkerMain {
    private ClosingWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean fatal = args.length > 0 && args[0].equals("fatal");
        System.out.println("pid " + ProcessHandle.current().pid());
        CountDownLatch started = new CountDownLatch(1);
        SubCallable sleepsUntilInterrupted = ctx -> {
            started.countDown();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                System.out.println("task interrupted");
                throw e;
            }
        };
        Worker w = Worker.builder().numSubWorkers(1).heapRingSize(1 << 20)
                .runTimeout(fatal ? Duration.ofMinutes(2) : Duration.ofSeconds(1)).build();
        int sleeps = w.register(sleepsUntilInterrupted);
        w.init();
        try {
            w.run(Task.of((orch, a, c) -> {
                orch.submitSub(sleeps);
                // The task must be running before the run can time out (hang) or an actor fail (fatal): on a
                // loaded machine its start may take longer than the 1 s run timeout.
                if (!started.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the sub task did not start");
                }
                if (fatal) {
                    failAnEngineActor(w);
                }
            }));
            System.out.println("run succeeded");
        } catch (TaskFailedException e) {
            System.out.println("run failed: " + e.getMessage());
        }
        try {
            w.run(Task.of((orch, a, c) -> { }));
            System.out.println("next run succeeded");
        } catch (IllegalStateException e) {
            System.out.println("next run refused: " + e.getMessage());
        }
        System.out.println("worker " + w);
        long t0 = System.nanoTime();
        w.close();
        System.out.println("closed in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
    }

    /** Makes an actor on the engine's own dispatcher throw a fatal error, as an OOM in the scheduler would. */
    private static void failAnEngineActor(Worker w) {
        w.engine().system.systemActorOf(Behaviors.<String>receiveMessage(m -> {
            throw new OutOfMemoryError("simulated by ClosingWorkerMain");
        }), "fails", DispatcherSelector.fromConfig("strata.worker.engine-dispatcher")).tell("fail");
    }
}
