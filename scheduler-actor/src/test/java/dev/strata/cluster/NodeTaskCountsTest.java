package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.trace.RunTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeTaskCountsTest {
    @Test
    void countsTasksByNodeHostAndPortInNodeOrder() {
        NodeTaskCounts counts = new NodeTaskCounts();
        counts.ran(0, "pekko://strata@127.0.0.1:25522");
        counts.ran(1, "pekko://strata@127.0.0.1:25521");
        counts.ran(2, "pekko://strata@127.0.0.1:25522");
        assertEquals(List.of("127.0.0.1:25521", "127.0.0.1:25522"), new ArrayList<>(counts.snapshot().keySet()));
        assertEquals(Map.of("127.0.0.1:25521", 1L, "127.0.0.1:25522", 2L), counts.snapshot());
        assertEquals(Map.of(0, "127.0.0.1:25522", 1, "127.0.0.1:25521", 2, "127.0.0.1:25522"), counts.chipNodes());
    }

    @Test
    void emptyUntilANodeRanATaskAndAfterAReset() {
        NodeTaskCounts counts = new NodeTaskCounts();
        assertTrue(counts.snapshot().isEmpty());
        counts.ran(3, "pekko://strata@10.0.0.7:2552");
        counts.reset();
        assertTrue(counts.snapshot().isEmpty());
        assertTrue(counts.chipNodes().isEmpty());
    }

    @Test
    void countsRetriesByTheNodeWhoseAttemptFailedUntilAReset() {
        NodeTaskCounts counts = new NodeTaskCounts();
        assertTrue(counts.retries().isEmpty());
        long before = System.nanoTime();
        counts.retried(1, "pekko://strata@127.0.0.1:25522");
        counts.retried(3, "pekko://strata@127.0.0.1:25522");
        counts.retried(0, null);
        assertEquals(Map.of("127.0.0.1:25522", 2L, NodeTaskCounts.UNKNOWN_NODE, 1L), counts.retries());
        List<NodeTaskCounts.Retry> log = counts.retryLog();
        assertEquals(List.of(1, 3, 0), log.stream().map(NodeTaskCounts.Retry::chip).toList(), "in order");
        assertEquals("127.0.0.1:25522", log.get(0).node());
        assertEquals(NodeTaskCounts.UNKNOWN_NODE, log.get(2).node());
        assertTrue(log.get(0).nanos() >= before && log.get(2).nanos() >= log.get(0).nanos(), "on the trace's clock");
        assertTrue(counts.snapshot().isEmpty(), "a retry is not a task run");
        counts.reset();
        assertTrue(counts.retries().isEmpty());
        assertTrue(counts.retryLog().isEmpty());
    }

    @Test
    void countsBytesShippedEachWayByNodeUntilAReset() {
        NodeTaskCounts counts = new NodeTaskCounts();
        counts.shipped("pekko://strata@127.0.0.1:25522", 100, 10);
        counts.shipped("pekko://strata@127.0.0.1:25521", 5, 0);
        counts.shipped("pekko://strata@127.0.0.1:25522", 1, 2);
        assertEquals(Map.of("127.0.0.1:25521", 5L, "127.0.0.1:25522", 101L), counts.bytesToNodes());
        assertEquals(Map.of("127.0.0.1:25521", 0L, "127.0.0.1:25522", 12L), counts.bytesFromNodes());
        assertEquals(List.of("127.0.0.1:25521", "127.0.0.1:25522"), new ArrayList<>(counts.bytesToNodes().keySet()));
        assertTrue(counts.snapshot().isEmpty(), "bytes are not tasks");
        counts.reset();
        assertTrue(counts.bytesToNodes().isEmpty());
        assertTrue(counts.bytesFromNodes().isEmpty());
    }

    @Test
    void anAddressWithoutSystemNameIsKeptAsIs() {
        assertEquals("somewhere", NodeTaskCounts.hostPort("somewhere"));
        assertEquals("h:1", NodeTaskCounts.hostPort("pekko://strata@h:1"));
    }

    @Test
    void countsFromManyThreadsAddUp() throws Exception {
        NodeTaskCounts counts = new NodeTaskCounts();
        int threads = 4;
        int each = 10_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String node = "pekko://strata@127.0.0.1:" + (25521 + t % 2);
            int chip = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    counts.ran(chip, node);
                }
            });
            th.start();
            all.add(th);
        }
        go.countDown();
        for (Thread th : all) {
            th.join(20_000);
        }
        assertEquals(Map.of("127.0.0.1:25521", 2L * each, "127.0.0.1:25522", 2L * each), counts.snapshot());
    }

    @Test
    void keepsTheRunsBelowOfThisRunUntilAReset() {
        NodeTaskCounts counts = new NodeTaskCounts();
        RunTrace below = new RunTrace("pekko://strata@127.0.0.1:25522", 1, 10, 20, List.of("chip 0"), 0, 0, 0,
                List.of());
        counts.ranBelow(1, "pekko://strata@127.0.0.1:25522", below);
        assertEquals(List.of(new NodeTaskCounts.RunBelow(1, "127.0.0.1:25522", below)), counts.runsBelow());
        counts.reset();
        assertTrue(counts.runsBelow().isEmpty());
    }
}
