package dev.strata.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.scheduler.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The leak check, directly: clean after a closed worker, and naming each kind of thing left behind. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LeakCheckTest {
    private static final Duration SHORT = Duration.ofMillis(300);


    @Test
    void aClosedWorkerLeavesNothing() {
        LeakCheck before = LeakCheck.now();
        try (Worker w = Worker.builder().numSubWorkers(1).heapRingSize(1 << 20).build()) {
            w.init();
        }
        assertEquals(List.of(), before.leftBehind(StrataExtension.LEAK_GRACE));
    }

    @Test
    void aWorkerNotClosedLeavesItsThreads() {
        LeakCheck before = LeakCheck.now();
        Worker w = Worker.builder().numSubWorkers(1).heapRingSize(1 << 20).build();
        try {
            w.init();
            List<String> left = before.leftBehind(SHORT);
            assertTrue(left.stream().anyMatch(l -> l.startsWith("thread 'strata-")), left.toString());
        } finally {
            w.close();
        }
        assertEquals(List.of(), before.leftBehind(StrataExtension.LEAK_GRACE), "and nothing once it is closed");
    }

    @Test
    void aThreadThatEndsWithinTheGraceIsNotReportedOneThatDoesNotIs() throws Exception {
        LeakCheck before = LeakCheck.now();
        CountDownLatch release = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                release.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "strata-leak-check-test");
        t.start();
        try {
            assertEquals(List.of("thread 'strata-leak-check-test' (TIMED_WAITING)"), before.leftBehind(SHORT));
        } finally {
            release.countDown();
        }
        assertEquals(List.of(), before.leftBehind(StrataExtension.LEAK_GRACE), "it ends once released");
        t.join();
    }

    @Test
    void aMemoryFileOfThisJvmLeftInAMemoryDirIsReported(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("strata-" + ProcessHandle.current().pid() + "-1.mem"), "there before");
        Files.writeString(dir.resolve("strata-1-2.mem"), "another JVM's");
        LeakCheck before = LeakCheck.now(dir);
        Path left = Files.writeString(dir.resolve("strata-" + ProcessHandle.current().pid() + "-3.mem"), "new");
        Files.writeString(dir.resolve("strata-1-4.mem"), "another JVM's");
        assertEquals(List.of("memory file " + left.toAbsolutePath()), before.leftBehind(SHORT));
        Files.delete(left);
        assertEquals(List.of(), before.leftBehind(SHORT));
    }

    @Test
    void aChildProcessLeftRunningIsReported() throws Exception {
        LeakCheck before = LeakCheck.now();
        Process p = new ProcessBuilder("sleep", "60").start();
        try {
            List<String> left = before.leftBehind(SHORT);
            assertEquals(1, left.size(), left.toString());
            assertTrue(left.get(0).startsWith("child process " + p.pid() + " (") && left.get(0).contains("sleep"),
                    left.toString());
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), before.leftBehind(SHORT));
    }
}
