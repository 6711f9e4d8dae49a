package dev.strata.scheduler;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsView;
import dev.strata.worker.GroupTaskWorker;
import java.util.concurrent.CancellationException;

/**
 * A THREAD-mode worker (sub worker or simulated chip) whose user code the engine can stop, as
 * {@code ExecutorService.shutdownNow} does: {@link #stop()} interrupts the task running now and refuses every
 * later one. User code still runs on its worker actor's thread of the blocking dispatcher; this shell only
 * remembers which thread that is while a task runs, because Pekko never interrupts an actor's thread.
 */
final class InterruptibleWorker implements GroupTaskWorker {
    private final GroupTaskWorker worker;
    // Guarded by this, so that stop() interrupts a thread only while it runs this worker's user code.
    private Thread running;
    private boolean stopped;

    InterruptibleWorker(GroupTaskWorker worker) {
        this.worker = worker;
    }

    /**
     * Runs the task on the wrapped worker unless {@link #stop()} came first.
     *
     * @throws CancellationException when the worker is stopped (the task is not started)
     */
    @Override
    public void run(long callable, TaskArgsView args, CallConfig config, int groupIndex) throws Exception {
        begin();
        try {
            worker.run(callable, args, config, groupIndex);
        } finally {
            end();
        }
    }

    /** An injected delay, interrupted by {@link #stop()} like a task. */
    @Override
    public void hold(long millis) throws InterruptedException {
        begin();
        try {
            worker.hold(millis);
        } finally {
            end();
        }
    }

    private synchronized void begin() {
        if (stopped) {
            throw new CancellationException("the engine is closing: task not started");
        }
        running = Thread.currentThread();
    }

    private void end() {
        synchronized (this) {
            running = null;
        }
        // An interrupt meant for this task (from stop, or set again by user code that caught it) must not reach
        // the next task or the actor's own code on this pooled thread; stop() cannot interrupt it any more now.
        Thread.interrupted();
    }

    /**
     * Refuses later tasks, interrupts the one running (if any) and releases the wrapped worker's own threads
     * (a chip's block threads, which it interrupts too). Any thread; idempotent.
     */
    void stop() {
        synchronized (this) {
            stopped = true;
            if (running != null) {
                running.interrupt();
            }
        }
        worker.close();
    }

    @Override
    public String takeWarning() {
        return worker.takeWarning();
    }

    /** Called when the worker's actor stops. */
    @Override
    public void close() {
        worker.close();
    }
}
