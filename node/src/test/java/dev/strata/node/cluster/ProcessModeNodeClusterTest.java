package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.workernode.WorkerNode;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A head (THREAD mode) and one worker node whose own file says {@code strata.worker.mode = PROCESS}, in this JVM on
 * 127.0.0.1 with every message serialized: the head's chip tasks run in child JVMs of the node, one per chip
 * entity, with the right results; a child that dies fails its task and the next task gets a fresh child; the
 * children and their files are gone once the node has left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProcessModeNodeClusterTest {
    private static final int CHIPS = 2;
    private static final long SELF = ProcessHandle.current().pid();
    private Path memoryDir;
    private WorkerNode node;
    private Worker head;
    private long whereAmI;
    private long increment;
    private long halt;
    private final Set<Long> children = new HashSet<>();

    /** Writes the pid of the JVM it runs in to INT64 tensor 0 (OUTPUT_EXISTING). */
    public static final class WhereAmI implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            ctx.memory().longs(ctx.args().tensor(0)).put(0, ProcessHandle.current().pid());
        }
    }

    /** Adds scalar 0 to INT64 tensor 0 (INOUT). */
    public static final class Increment implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            long v = ctx.memory().longs(ctx.args().tensor(0)).get(0);
            ctx.memory().longs(ctx.args().tensor(0)).put(0, v + ctx.args().scalar(0));
        }
    }

    /** Ends the JVM it runs in at once, unless that is the JVM whose pid is scalar 0 (this test's). */
    public static final class HaltsItsChild implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            if (ProcessHandle.current().pid() != ctx.args().scalar(0)) {
                Runtime.getRuntime().halt(9);
            }
        }
    }

    @BeforeAll
    void startHeadAndAProcessModeNode() throws Exception {
        memoryDir = Files.createTempDirectory("strata-process-node-");
        int headPort = LoopbackCluster.freePort();
        head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort, List.of(headPort))
                + "strata.cluster { enabled = true, min-worker-nodes = 1, join-timeout = 60 s, task-timeout = 60 s }\n"
                + "strata.worker { chip-workers = " + CHIPS + ", arena-size = 4 MiB, heap-ring-size = 4 MiB }\n"));
        whereAmI = head.registerChipCallable("where-am-i", new WhereAmI());
        increment = head.registerChipCallable("increment", new Increment());
        halt = head.registerChipCallable("halt", new HaltsItsChild());
        CompletableFuture<Void> init = CompletableFuture.runAsync(head::init);
        node = WorkerNode.start(LoopbackCluster.config(LoopbackCluster.member(0, List.of(headPort)),
                "strata.worker { mode = PROCESS, arena-size = 4 MiB, memory-dir = \"" + memoryDir + "\" }\n"));
        init.get(90, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() throws IOException {
        if (head != null) {
            head.close();
        }
        if (node != null) {
            node.close();
        }
        try (Stream<Path> s = Files.list(memoryDir)) {
            s.forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(memoryDir);
    }

    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    @Test
    @Order(1)
    void chipTasksRunInChildJvmsOfTheNodeWithTheRightResults() {
        int n = 8;
        List<ContinuousTensor> pids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pids.add(head.memory().allocate(DataType.INT64, 1));
        }
        ContinuousTensor sum = head.memory().allocate(DataType.INT64, 1);
        long before = node.tasksRun();
        head.run(Task.of((orch, args, cfg) -> {
            for (int i = 0; i < n; i++) {
                orch.submitNextLevel(whereAmI, new TaskArgs().addTensor(pids.get(i), TensorArgType.OUTPUT_EXISTING),
                        CallConfig.DEFAULT);
                orch.submitNextLevel(increment, new TaskArgs().addTensor(sum, TensorArgType.INOUT).addScalar(i + 1),
                        CallConfig.DEFAULT);
            }
        }));
        assertEquals(n * (n + 1) / 2, head.memory().longs(sum).get(0), "every increment applied, in order");
        assertEquals(2L * n, node.tasksRun() - before);
        Set<Long> running = descendants();
        for (ContinuousTensor t : pids) {
            long pid = head.memory().longs(t).get(0);
            assertNotEquals(SELF, pid, "the kernel ran in a child JVM, not in the node's");
            assertTrue(running.contains(pid), "child " + pid + " is a process of this JVM and still runs: " + running);
            children.add(pid);
        }
        assertTrue(children.size() <= CHIPS, "at most one child per chip entity: " + children);
    }

    @Test
    @Order(2)
    void aChildThatDiesFailsItsTaskNamingChipAndNodeAndTheNextTaskGetsAFreshChild() {
        ContinuousTensor t = head.memory().allocate(DataType.INT64, 1);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> head.run(Task.of((orch, a, c) ->
                orch.submitNextLevel(halt, new TaskArgs().addTensor(t, TensorArgType.INOUT).addScalar(SELF),
                        CallConfig.DEFAULT))));
        String m = e.getMessage();
        assertTrue(m.contains("'s process (pid") && m.contains("died while running kernel"), m);
        assertTrue(m.contains("on worker node " + node.address()), m);
        // Every chip runs a task next: the one whose child died starts a fresh child.
        List<ContinuousTensor> pids = new ArrayList<>();
        for (int i = 0; i < 4 * CHIPS; i++) {
            pids.add(head.memory().allocate(DataType.INT64, 1));
        }
        head.run(Task.of((orch, args, cfg) -> pids.forEach(p -> orch.submitNextLevel(whereAmI,
                new TaskArgs().addTensor(p, TensorArgType.OUTPUT_EXISTING), CallConfig.DEFAULT))));
        Set<Long> running = descendants();
        for (ContinuousTensor p : pids) {
            long pid = head.memory().longs(p).get(0);
            assertNotEquals(SELF, pid);
            assertTrue(running.contains(pid), "child " + pid + " runs: " + running);
            children.add(pid);
        }
    }

    @Test
    @Order(3)
    void theChildrenAndTheirFilesAreGoneOnceTheNodeHasLeft() throws Exception {
        assertTrue(node.leave(Duration.ofSeconds(30)), "the node left and stopped");
        for (long pid : children) {
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        }
        Set<Long> running = descendants();
        for (long pid : children) {
            assertTrue(!running.contains(pid), "child " + pid + " is gone");
        }
        try (Stream<Path> s = Files.list(memoryDir)) {
            assertEquals(List.of(), s.toList(), "mailboxes, logs and the node's memory file are removed");
        }
    }
}
