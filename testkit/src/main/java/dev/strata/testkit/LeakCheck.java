package dev.strata.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * What Strata had running in this JVM at one moment — its threads (named {@code strata...}), this JVM's child
 * processes, and its tensor memory files ({@code strata-<pid>-*.mem}) — so that, after a test closed what it
 * started, {@link #leftBehind} can say what is still there that was not before.
 */
public final class LeakCheck {
    /** Every thread Strata starts is named so: actor systems ({@code strata}), chip blocks, the kit's nodes. */
    static final String THREAD_PREFIX = "strata";

    private final Set<Thread> threads;
    private final Set<Long> processes;
    private final Set<Path> files;
    private final List<Path> memoryDirs;

    private LeakCheck(List<Path> memoryDirs) {
        this.memoryDirs = List.copyOf(memoryDirs);
        Set<Thread> t = Collections.newSetFromMap(new IdentityHashMap<>());
        t.addAll(strataThreads());
        this.threads = t;
        this.processes = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        this.files = memoryFiles(this.memoryDirs);
    }

    /**
     * What is there now. Memory files are looked for in {@code /dev/shm}, in {@code java.io.tmpdir} (where the
     * engine puts them when {@code /dev/shm} is missing or full) and in {@code moreMemoryDirs} (a
     * {@code strata.worker.memory-dir} the test sets).
     */
    public static LeakCheck now(Path... moreMemoryDirs) {
        List<Path> dirs = new ArrayList<>(List.of(Path.of("/dev/shm"), Path.of(System.getProperty("java.io.tmpdir"))));
        dirs.addAll(List.of(moreMemoryDirs));
        return new LeakCheck(dirs);
    }

    /**
     * What is there now and was not at {@link #now}: one line per thread, child process and memory file. Threads
     * and processes that are ending are given up to {@code grace} (together) to end — waited for by joining them,
     * not by sleeping — so an actor system's dispatcher threads that stop a moment after {@code close()} returned
     * are not reported. Empty when nothing was left behind.
     */
    public List<String> leftBehind(Duration grace) {
        long deadline = System.nanoTime() + grace.toNanos();
        List<String> left = new ArrayList<>();
        for (Thread t : strataThreads()) {
            if (!threads.contains(t) && !ended(t, deadline)) {
                left.add("thread '" + t.getName() + "' (" + t.getState() + (t.isDaemon() ? ", daemon" : "") + ")");
            }
        }
        for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
            if (!processes.contains(p.pid()) && !ended(p, deadline)) {
                left.add("child process " + p.pid() + " (" + p.info().commandLine().orElse("command unknown") + ")");
            }
        }
        // The engine deletes its file in close() itself: a file still there now stays.
        for (Path f : memoryFiles(memoryDirs)) {
            if (!files.contains(f)) {
                left.add("memory file " + f);
            }
        }
        return left;
    }

    private static boolean ended(Thread t, long deadline) {
        try {
            long wait = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (wait > 0) {
                t.join(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    private static boolean ended(ProcessHandle p, long deadline) {
        try {
            long wait = deadline - System.nanoTime();
            if (wait > 0) {
                p.onExit().get(wait, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            // still alive: reported
        }
        return !p.isAlive();
    }

    private static List<Thread> strataThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(THREAD_PREFIX)).toList();
    }

    /** This JVM's tensor memory files in {@code dirs}: {@code strata-<pid>-<random>.mem}. */
    private static Set<Path> memoryFiles(List<Path> dirs) {
        String prefix = "strata-" + ProcessHandle.current().pid() + "-";
        Set<Path> found = new LinkedHashSet<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, prefix + "*.mem")) {
                s.forEach(p -> found.add(p.toAbsolutePath()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir + " for leftover memory files", e);
            }
        }
        return found;
    }
}
