package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.workernode.WorkerNode;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.OrchFn;
import dev.strata.scheduler.Orchestrator;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import dev.strata.trace.ChromeTrace;
import dev.strata.trace.RunReport;
import dev.strata.trace.RunTrace;
import dev.strata.trace.TaskTrace;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Level 4 on a loopback cluster in this JVM (every message serialized): a level-4 head whose 2 next-level workers
 * are level-3 engines on 2 worker nodes, each engine with 2 chips of its own. The head's orch fns split work over
 * the engines; each engine's orch fn splits its part over its chips with a kernel id it got as a scalar.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Level4ClusterTest {
    static final int ROWS = 4;
    static final int COLS = 8;
    /** A worker node's settings for its level-3 engines: 2 chips each, small memory. */
    static final String NODE = "strata.worker { chip-workers = 2, sub-workers = 1, arena-size = 16 MiB,"
            + " heap-ring-size = 4 MiB }\n";

    private Worker head;
    private final List<WorkerNode> nodes = new ArrayList<>();
    private long scaleAdd;
    private long boom;
    private long rows;

    /** Fails, saying so. */
    public static final class Boom implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            throw new IllegalStateException("kaboom in a level-3 chip");
        }
    }

    /**
     * The level-3 orch fn: tensor 0 is a FLOAT32 [rows, cols] matrix (INOUT); scalar 0 a chip kernel id, scalar 1
     * its scalar, scalar 2 (optional) the ordinal of the tag each row gets (default INOUT: a wrong one tests the tag
     * checker below). One chip task per row, on the row's own view of the matrix.
     */
    public static final class EachRow implements OrchFn {
        @Override
        public void run(Orchestrator orch, TaskArgsView args, CallConfig config) {
            ContinuousTensor m = args.tensor(0);
            int cols = m.shape(1);
            TensorArgType tag = args.scalarCount() > 2 ? TensorArgType.values()[(int) args.scalar(2)]
                    : TensorArgType.INOUT;
            for (int r = 0; r < m.shape(0); r++) {
                ContinuousTensor row = ContinuousTensor.of(m.data() + (long) r * cols * Float.BYTES, DataType.FLOAT32,
                        cols);
                orch.submitNextLevel(args.scalar(0), new TaskArgs().addTensor(row, tag).addScalar(args.scalar(1)),
                        config);
            }
        }
    }

    @BeforeAll
    void start() throws Exception {
        int headPort = LoopbackCluster.freePort();
        head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort, List.of(headPort))
                + "strata.cluster { enabled = true, min-worker-nodes = 2, join-timeout = 90 s }\n"
                + "strata.worker { level = 4, chip-workers = 2, sub-workers = 1, arena-size = 16 MiB,"
                + " heap-ring-size = 4 MiB }\n"
                + "strata.trace { enabled = true, file = \"\" }\n"
                + "strata.check.tags = on\n")); // the engines below check their own tasks too
        scaleAdd = head.registerChipCallable("scale-add", new ChipEntitiesClusterTest.ScaleAdd());
        boom = head.registerChipCallable("boom", new Boom());
        rows = head.registerOrchFn("each-row", new EachRow());
        LoopbackCluster.joinNodes(head, headPort, 2, NODE, nodes);
    }

    @AfterAll
    void stop() {
        if (head != null) {
            head.close();
        }
        nodes.forEach(WorkerNode::close);
    }

    private ContinuousTensor matrix(float base) {
        ContinuousTensor m = head.memory().allocate(DataType.FLOAT32, ROWS, COLS);
        float[] v = new float[ROWS * COLS];
        for (int i = 0; i < v.length; i++) {
            v[i] = base + i;
        }
        head.memory().write(m, v);
        return m;
    }

    /** What one round of scale-add with {@code s} makes of {@link #matrix}({@code base}). */
    static float[] expectedOnce(float base, long s) {
        return expected(base, s, 1);
    }

    /** What {@code times} rounds of scale-add with {@code s} make of {@link #matrix}({@code base}). */
    private static float[] expected(float base, long s, int times) {
        float[] v = new float[ROWS * COLS];
        for (int i = 0; i < v.length; i++) {
            float x = base + i;
            for (int k = 0; k < times; k++) {
                x = x * 2 + s + i % COLS;
            }
            v[i] = x;
        }
        return v;
    }

    private TaskArgs rowsOf(ContinuousTensor m, long kernel, long scalar) {
        return new TaskArgs().addTensor(m, TensorArgType.INOUT).addScalar(kernel).addScalar(scalar);
    }

    @Test
    void aLevel4RunSplitsWorkOverTwoEnginesOnTwoNodesAndTheirTracesSitInsideItsSpans() throws Exception {
        ContinuousTensor a = matrix(1);
        ContinuousTensor b = matrix(100);
        head.run(Task.of((orch, args, cfg) -> {
            orch.submitNextLevel(rows, rowsOf(a, scaleAdd, 1), CallConfig.DEFAULT);
            orch.submitNextLevel(rows, rowsOf(b, scaleAdd, 2), CallConfig.DEFAULT);
            orch.submitNextLevel(rows, rowsOf(a, scaleAdd, 1), CallConfig.DEFAULT); // after the first, by its tag
        }));
        assertArrayEquals(expected(1, 1, 2), head.memory().readFloats(a), "a: two rounds, in order");
        assertArrayEquals(expected(100, 2, 1), head.memory().readFloats(b), "b: one round");
        assertEquals(nodeAddresses(), head.lastRun().tasksByNode().keySet(), "both engines' nodes ran tasks");
        assertEquals(3, head.lastRun().tasksByNode().values().stream().mapToLong(Long::longValue).sum());

        RunTrace trace = head.lastRunTrace();
        assertTrue(trace.workers().stream().filter(w -> w.startsWith("engine ")).count() == 2,
                "one lane per engine, named with its node: " + trace.workers());
        assertEquals(3, trace.below().size(), "each level-4 task carried one level-3 run");
        for (RunTrace below : trace.below()) {
            assertEquals(ROWS, below.tasks().size(), "one chip task per row: " + below);
            TaskTrace span = trace.tasks().stream().filter(t -> t.worker().equals(below.node())
                    && t.startNanos() <= below.startNanos() && below.endNanos() <= t.endNanos()).findFirst()
                    .orElseThrow(() -> new AssertionError("no level-4 span on " + below.node() + " holds the level-3"
                            + " run [" + below.startNanos() + ", " + below.endNanos() + "]: " + trace.tasks()));
            for (TaskTrace chipTask : below.tasks()) {
                assertTrue(span.startNanos() <= chipTask.startNanos() && chipTask.endNanos() <= span.endNanos(),
                        "level-3 task inside its level-4 span: " + chipTask + " in " + span);
            }
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        ChromeTrace.write(json, trace);
        String chrome = json.toString(StandardCharsets.UTF_8);
        String report = RunReport.html(trace);
        for (String engine : trace.below().stream().map(RunTrace::node).distinct().toList()) {
            assertTrue(chrome.contains("\"" + engine + "\""), "the Chrome trace has a process per engine: " + engine);
            assertTrue(report.contains(engine), "the report has a section per engine: " + engine);
        }
        assertTrue(report.contains("Engines below"), "the report shows the engines' chips");
    }

    @Test
    void aGroupRunsOneOrchFnOnBothEnginesAtOnceEachMemberWithItsArgs() {
        ContinuousTensor a = matrix(3);
        ContinuousTensor b = matrix(30);
        head.run(Task.of((orch, args, cfg) -> orch.submitNextLevelGroup(rows,
                List.of(rowsOf(a, scaleAdd, 5), rowsOf(b, scaleAdd, 6)), CallConfig.DEFAULT)));
        assertArrayEquals(expected(3, 5, 1), head.memory().readFloats(a));
        assertArrayEquals(expected(30, 6, 1), head.memory().readFloats(b));
        assertEquals(nodeAddresses(), head.lastRun().tasksByNode().keySet(), "the two members on the two engines");
    }

    @Test
    void aKernelFailingInALevel3RunFailsItsLevel4TaskWithTheTextSkipsItsDependentsAndLeavesTheHeadUsable() {
        ContinuousTensor a = matrix(7);
        float[] before = head.memory().readFloats(a);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> head.run(Task.of((orch, args, cfg) -> {
            orch.submitNextLevel(rows, rowsOf(a, boom, 0), CallConfig.DEFAULT);
            orch.submitNextLevel(rows, rowsOf(a, scaleAdd, 1), CallConfig.DEFAULT);
        })));
        String text = chain(e);
        assertTrue(text.contains("kaboom in a level-3 chip") && text.contains("boom") && text.contains("each-row"),
                "the level-3 kernel's name and message reach level 4: " + text);
        assertTrue(nodeAddresses().stream().anyMatch(text::contains), "and the node it ran on: " + text);
        assertEquals(1, head.lastRun().skippedTasks(), "the dependent level-4 task is skipped");
        assertArrayEquals(before, head.memory().readFloats(a), "a failed level-3 run writes nothing back");

        head.run(Task.of((orch, args, cfg) -> orch.submitNextLevel(rows, rowsOf(a, scaleAdd, 1), CallConfig.DEFAULT)));
        assertArrayEquals(expected(7, 1, 1), head.memory().readFloats(a), "the head and its engines stay usable");
    }

    @Test
    void theEnginesBelowCheckTheirTasksTagsAWrittenInputFailsTheLevel4TaskANoDepWriteIsAWarningOfIt() {
        ContinuousTensor a = matrix(11);
        float[] before = head.memory().readFloats(a);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> head.run(Task.of((orch, args, cfg) ->
                orch.submitNextLevel(rows, rowsOf(a, scaleAdd, 1).addScalar(TensorArgType.INPUT.ordinal()),
                        CallConfig.DEFAULT))));
        String text = chain(e);
        assertTrue(text.contains("TagViolationException") && text.contains("scale-add")
                && text.contains("declared INPUT"), "the level-3 violation fails the level-4 task: " + text);
        assertArrayEquals(before, head.memory().readFloats(a), "a failed level-3 run writes nothing back");

        head.run(Task.of((orch, args, cfg) -> orch.submitNextLevel(rows,
                rowsOf(a, scaleAdd, 1).addScalar(TensorArgType.NO_DEP.ordinal()), CallConfig.DEFAULT)));
        assertArrayEquals(expected(11, 1, 1), head.memory().readFloats(a), "NO_DEP rows may be written");
        List<String> warnings = head.lastRun().warnings();
        assertEquals(1, warnings.size(), "one warning, the level-4 task's: " + warnings);
        assertTrue(warnings.get(0).contains("level 3 on engine ") && warnings.get(0).contains("'scale-add'")
                && warnings.get(0).contains("NO_DEP"), "the level-3 warnings reach the head: " + warnings.get(0));

        head.run(Task.of((orch, args, cfg) -> orch.submitNextLevel(rows, rowsOf(a, scaleAdd, 1), CallConfig.DEFAULT)));
        assertEquals(List.of(), head.lastRun().warnings(), "right tags: no warning");
    }

    @Test
    void chipKernelIdsOfTheHeadAreTheEnginesIds() {
        // boom was registered second: id 1 on the head, and the engines agree (else scale-add would fail here).
        assertEquals(0, scaleAdd);
        assertEquals(1, boom);
        ContinuousTensor a = matrix(0);
        head.run(Task.of((orch, args, cfg) -> orch.submitNextLevel(rows, rowsOf(a, scaleAdd, 0), CallConfig.DEFAULT)));
        assertArrayEquals(expected(0, 0, 1), head.memory().readFloats(a));
    }

    private Set<String> nodeAddresses() {
        return nodes.stream().map(n -> n.address().substring(n.address().lastIndexOf('@') + 1))
                .collect(Collectors.toSet());
    }

    private static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append(" | ");
        }
        return b.toString();
    }
}
