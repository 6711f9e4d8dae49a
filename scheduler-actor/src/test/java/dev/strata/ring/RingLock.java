package dev.strata.ring;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Test support: holds a ring's lock on a thread of its own until {@link #unlock}, for tests in other packages. */
public final class RingLock implements AutoCloseable {
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    /** Takes {@code ring}'s lock on a new thread and returns once it holds it. */
    public static RingLock hold(HeapRing ring) throws InterruptedException {
        RingLock l = new RingLock();
        Thread t = new Thread(() -> {
            try {
                ring.holdingLock(() -> {
                    l.held.countDown();
                    try {
                        l.release.await(30, TimeUnit.SECONDS); // bounded: a broken test cannot hang the build
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                l.done.complete(null);
            } catch (Throwable e) {
                l.done.completeExceptionally(e);
            }
        }, "ring-lock-holder");
        t.setDaemon(true);
        t.start();
        if (!l.held.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not take the ring's lock");
        }
        return l;
    }

    /** Lets go of the lock and waits until it is free. */
    public void unlock() throws Exception {
        release.countDown();
        done.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        unlock();
    }
}
