package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ChipQueueTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final AtomicLong clock = new AtomicLong();
    private final ChipQueue queue = new ChipQueue(pool, Duration.ofSeconds(10), clock::get);
    private final List<String> log = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private Runnable job(String name, CountDownLatch release, CountDownLatch done) {
        return () -> {
            log.add(name + " start");
            try {
                assertTrue(release.await(20, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.add(name + " end");
            done.countDown();
        };
    }

    @Test
    void jobsRunOneAfterTheOtherInTheirOrder() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(3);
        queue.submit(job("a", go, done));
        queue.submit(job("b", go, done));
        queue.submit(job("c", go, done));
        go.countDown();
        assertTrue(done.await(20, TimeUnit.SECONDS));
        assertEquals(List.of("a start", "a end", "b start", "b end", "c start", "c end"), log);
        assertEquals(0, queue.waiting());
    }

    @Test
    void aJobStuckLongerThanThePatienceDoesNotHoldUpTheNextOnesForGood() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch stuckDone = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        queue.submit(() -> {
            log.add("hung start");
            started.countDown();
            try {
                assertTrue(stuck.await(20, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.add("hung end");
            stuckDone.countDown();
        });
        assertTrue(started.await(20, TimeUnit.SECONDS));
        CountDownLatch free = new CountDownLatch(0);
        CountDownLatch done = new CountDownLatch(2);
        queue.submit(job("queued", free, done));
        clock.addAndGet(Duration.ofSeconds(5).toNanos());
        assertEquals(1, queue.waiting(), "within the patience it waits");
        clock.addAndGet(Duration.ofSeconds(6).toNanos());
        queue.submit(job("retry", free, done)); // what the head sends once it gave the hung task up
        assertTrue(done.await(20, TimeUnit.SECONDS), "both ran beside the hung one");
        assertEquals(List.of("hung start", "queued start", "queued end", "retry start", "retry end"), log);
        stuck.countDown();
        assertTrue(stuckDone.await(20, TimeUnit.SECONDS));
        CountDownLatch after = new CountDownLatch(1);
        queue.submit(job("after", free, after));
        assertTrue(after.await(20, TimeUnit.SECONDS), "the queue goes on after the hung job ended");
    }
}
