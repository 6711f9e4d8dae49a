package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real worker-node JVM in PROCESS mode ({@code java -cp <test class path> dev.strata.node.Main node <file>}), killed
 * with SIGKILL after it ran chip tasks in its child JVMs: the children notice their parent is gone, delete the files
 * they shared with it (the node's memory file included) and exit.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProcessModeNodeKillTest {
    private static final Path LOGS = Path.of("target", "process-mode-node-kill-test");
    private static final long BOUND_SECONDS = 90;
    private Process nodeJvm;
    private Path memoryDir;

    @AfterEach
    void reap() throws Exception {
        if (nodeJvm != null && nodeJvm.isAlive()) {
            nodeJvm.destroyForcibly();
            nodeJvm.waitFor(30, TimeUnit.SECONDS);
        }
        if (memoryDir != null) {
            try (Stream<Path> s = Files.list(memoryDir)) {
                s.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(memoryDir);
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(LOGS.resolve("node.log"));
            return "\n--- node log tail ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40),
                    lines.size()));
        } catch (IOException e) {
            return " (no log: " + e + ")";
        }
    }

    @Test
    void theChildrenOfAKilledNodeJvmDeleteTheirFilesAndExit() throws Exception {
        Files.createDirectories(LOGS);
        memoryDir = Files.createTempDirectory("strata-process-node-kill-");
        int headPort = LoopbackCluster.freePort();
        Path file = LOGS.resolve("node.conf");
        Files.writeString(file, LoopbackCluster.member(0, List.of(headPort))
                + "strata.worker { mode = PROCESS, arena-size = 4 MiB, memory-dir = \"" + memoryDir + "\" }\n");
        Set<Long> children = new HashSet<>();
        try (Worker head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort,
                List.of(headPort)) + "strata.cluster { enabled = true, min-worker-nodes = 1, join-timeout = 90 s,"
                + " task-timeout = 90 s }\nstrata.worker { chip-workers = 2, arena-size = 1 MiB,"
                + " heap-ring-size = 1 MiB }\n"))) {
            long whereAmI = head.registerChipCallable("where-am-i", new ProcessModeNodeClusterTest.WhereAmI());
            CompletableFuture<Void> init = CompletableFuture.runAsync(head::init);
            nodeJvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.strata.node.Main", "node",
                    file.toString()).redirectErrorStream(true)
                    .redirectOutput(LOGS.resolve("node.log").toFile()).start();
            try {
                init.get(BOUND_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("head or node not up: " + e + tail(), e);
            }
            List<ContinuousTensor> pids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                pids.add(head.memory().allocate(DataType.INT64, 1));
            }
            head.run(Task.of((orch, args, cfg) -> pids.forEach(p -> orch.submitNextLevel(whereAmI,
                    new TaskArgs().addTensor(p, TensorArgType.OUTPUT_EXISTING), CallConfig.DEFAULT))));
            for (ContinuousTensor p : pids) {
                children.add(head.memory().longs(p).get(0));
            }
        }
        // The head has left; the node serves on, its children with it.
        for (long pid : children) {
            Optional<ProcessHandle> child = ProcessHandle.of(pid);
            assertTrue(child.isPresent() && child.get().isAlive(), "child " + pid + " runs" + tail());
            assertEquals(Optional.of(nodeJvm.pid()), child.get().parent().map(ProcessHandle::pid),
                    "a child of the node JVM" + tail());
            assertNotEquals(nodeJvm.pid(), pid);
        }
        try (Stream<Path> s = Files.list(memoryDir)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().endsWith(".mbox")), "mailboxes exist");
        }

        nodeJvm.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook runs in the node
        assertTrue(nodeJvm.waitFor(BOUND_SECONDS, TimeUnit.SECONDS), "node JVM killed");
        for (long pid : children) {
            Optional<ProcessHandle> child = ProcessHandle.of(pid);
            if (child.isPresent()) {
                child.get().onExit().get(BOUND_SECONDS, TimeUnit.SECONDS);
            }
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "child " + pid + " exited");
        }
        try (Stream<Path> s = Files.list(memoryDir)) {
            assertEquals(List.of(), s.toList(), "the children removed the files they shared with the node"
                    + tail());
        }
    }
}
