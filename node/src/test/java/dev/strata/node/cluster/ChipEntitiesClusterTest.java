package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.workernode.WorkerNode;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorArgType;
import dev.strata.protocol.CallConfig;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A head with cluster mode on and two worker nodes in this JVM on 127.0.0.1, every message serialized: the head's
 * four chip workers are entities on the nodes, tensors travel with the tasks, and runs give what one JVM gives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChipEntitiesClusterTest {
    private static final int CHIPS = 4;
    private static final int N = 16;
    private final List<WorkerNode> nodes = new ArrayList<>();
    private Worker head;
    private long scaleAdd;
    private long fill;
    private long boom;
    private long memberIndex;

    /** FLOAT32 tensor 0 (INOUT): t = t * 2 + scalar 0, element-wise; the order of a chain shows in the result. */
    public static final class ScaleAdd implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer t = ctx.memory().floats(ctx.args().tensor(0));
            for (int i = 0; i < t.limit(); i++) {
                t.put(i, t.get(i) * 2 + ctx.args().scalar(0) + i);
            }
        }
    }

    /** Fills FLOAT32 tensor 0 (OUTPUT_EXISTING) with scalar 0. */
    public static final class Fill implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer t = ctx.memory().floats(ctx.args().tensor(0));
            for (int i = 0; i < t.limit(); i++) {
                t.put(i, ctx.args().scalar(0));
            }
        }
    }

    /** Fills FLOAT32 tensor 0 (OUTPUT_EXISTING) with its group member index. */
    public static final class FillMemberIndex implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer t = ctx.memory().floats(ctx.args().tensor(0));
            for (int i = 0; i < t.limit(); i++) {
                t.put(i, ctx.groupIndex());
            }
        }
    }

    /** Always throws. */
    public static final class Boom implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            throw new IllegalStateException("boom on purpose");
        }
    }

    @BeforeAll
    void startHeadAndTwoNodes() throws Exception {
        int headPort = LoopbackCluster.freePort();
        head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort, List.of(headPort))
                + "strata.cluster { enabled = true, min-worker-nodes = 2, join-timeout = 60 s, task-timeout = 60 s }\n"
                + "strata.worker { chip-workers = " + CHIPS + ", sub-workers = 1, arena-size = 16 MiB,"
                + " heap-ring-size = 16 MiB }\n"));
        scaleAdd = head.registerChipCallable("scale-add", new ScaleAdd());
        fill = head.registerChipCallable("fill", new Fill());
        boom = head.registerChipCallable("boom", new Boom());
        memberIndex = head.registerChipCallable("member-index", new FillMemberIndex());
        LoopbackCluster.joinNodes(head, headPort, 2, "strata.worker.arena-size = 16 MiB\n", nodes);
    }

    @AfterAll
    void stop() {
        if (head != null) {
            head.close();
        }
        nodes.forEach(WorkerNode::close);
    }

    @Test
    void chipEntitiesSpreadOverBothNodesAndResultsComeBack() {
        List<ContinuousTensor> outs = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            outs.add(head.memory().allocate(DataType.FLOAT32, 8));
        }
        long[] before = nodes.stream().mapToLong(WorkerNode::tasksRun).toArray();
        head.run(Task.of((orch, args, cfg) -> {
            for (int i = 0; i < N; i++) {
                orch.submitNextLevel(fill, new TaskArgs().addTensor(outs.get(i), TensorArgType.OUTPUT_EXISTING)
                        .addScalar(i + 1), CallConfig.DEFAULT);
            }
        }));
        for (int i = 0; i < N; i++) {
            float[] v = head.memory().readFloats(outs.get(i));
            for (float f : v) {
                assertEquals(i + 1, f, "tensor " + i);
            }
        }
        long ran0 = nodes.get(0).tasksRun() - before[0];
        long ran1 = nodes.get(1).tasksRun() - before[1];
        assertEquals(N, ran0 + ran1);
        assertTrue(ran0 > 0 && ran1 > 0, "both nodes ran tasks: " + ran0 + " and " + ran1);
        // The head's summary says the same, node by node (host:port), from the nodes' answers.
        Map<String, Long> byNode = head.lastRun().tasksByNode();
        assertEquals(Map.of(hostPort(nodes.get(0)), ran0, hostPort(nodes.get(1)), ran1), byNode);
        assertEquals(head.lastRun().completedTasks(), byNode.values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void eachRunCountsItsOwnTasksByNode() {
        ContinuousTensor t = head.memory().allocate(DataType.FLOAT32, 4);
        head.run(Task.of((orch, args, cfg) -> orch.submitNextLevel(fill,
                new TaskArgs().addTensor(t, TensorArgType.OUTPUT_EXISTING).addScalar(1), CallConfig.DEFAULT)));
        Map<String, Long> byNode = head.lastRun().tasksByNode();
        assertEquals(1, byNode.size(), "one task, one node: " + byNode);
        assertEquals(1L, byNode.values().iterator().next());
        assertTrue(nodes.stream().anyMatch(n -> byNode.containsKey(hostPort(n))), byNode.toString());
    }

    /** A node's {@code host:port}, as the summary names it. */
    private static String hostPort(WorkerNode node) {
        return node.address().substring(node.address().lastIndexOf('@') + 1);
    }

    @Test
    void aGroupRunsOneMemberPerRemoteChipWithItsIndex() {
        List<ContinuousTensor> outs = new ArrayList<>();
        List<TaskArgs> members = new ArrayList<>();
        for (int m = 0; m < CHIPS; m++) {
            ContinuousTensor t = head.memory().allocate(DataType.FLOAT32, 4);
            head.memory().write(t, new float[] {-1, -1, -1, -1});
            outs.add(t);
            members.add(new TaskArgs().addTensor(t, TensorArgType.OUTPUT_EXISTING));
        }
        head.run(Task.of((orch, args, cfg) -> orch.submitNextLevelGroup(memberIndex, members, CallConfig.DEFAULT)));
        for (int m = 0; m < CHIPS; m++) {
            assertArrayEquals(new float[] {m, m, m, m}, head.memory().readFloats(outs.get(m)), "member " + m);
        }
    }

    @Test
    void aChainOfInoutTasksAcrossRemoteChipsGivesTheOneJvmResult() {
        ContinuousTensor t = head.memory().allocate(DataType.FLOAT32, 32);
        int steps = 12;
        head.run(Task.of((orch, args, cfg) -> {
            for (int k = 0; k < steps; k++) {
                orch.submitNextLevel(scaleAdd, new TaskArgs().addTensor(t, TensorArgType.INOUT).addScalar(k),
                        CallConfig.DEFAULT);
            }
        }));
        float[] expected = new float[32];
        for (int k = 0; k < steps; k++) {
            for (int i = 0; i < expected.length; i++) {
                expected[i] = expected[i] * 2 + k + i;
            }
        }
        assertArrayEquals(expected, head.memory().readFloats(t));
        assertEquals(steps, head.lastRun().completedTasks());
    }

    @Test
    void aKernelThatThrowsOnANodeFailsTheRunNamingKernelAndNodeAndTheWorkerStaysUsable() {
        ContinuousTensor t = head.memory().allocate(DataType.FLOAT32, 4);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> head.run(Task.of((orch, a, c) -> {
            orch.submitNextLevel(boom, new TaskArgs().addTensor(t, TensorArgType.INOUT), CallConfig.DEFAULT);
            orch.submitNextLevel(scaleAdd, new TaskArgs().addTensor(t, TensorArgType.INOUT).addScalar(1),
                    CallConfig.DEFAULT);
        })));
        String m = e.getMessage();
        assertTrue(m.contains("boom") && m.contains("boom on purpose"), m);
        assertTrue(m.contains("on worker node pekko://strata@127.0.0.1:"), m);
        assertTrue(nodes.stream().anyMatch(n -> m.contains(n.address())), "names one of the nodes: " + m);
        assertTrue(m.contains("1 dependent task(s) skipped"), m);
        assertArrayEquals(new float[4], head.memory().readFloats(t), "the skipped dependent did not run");

        head.run(Task.of((orch, a, c) -> orch.submitNextLevel(scaleAdd,
                new TaskArgs().addTensor(t, TensorArgType.INOUT).addScalar(5), CallConfig.DEFAULT)));
        assertArrayEquals(new float[] {5, 6, 7, 8}, head.memory().readFloats(t), "usable afterwards");
    }

    @Test
    void aTensorLargerThanOneMessageIsStreamedBackWhole() {
        // 300 KiB: more than an Artery frame holds, so the answer's bytes are streamed.
        int floats = 75 * 1024;
        ContinuousTensor big = head.memory().allocate(DataType.FLOAT32, floats);
        head.run(Task.of((orch, a, c) -> orch.submitNextLevel(fill,
                new TaskArgs().addTensor(big, TensorArgType.OUTPUT_EXISTING).addScalar(3), CallConfig.DEFAULT)));
        float[] v = head.memory().readFloats(big);
        for (int i = 0; i < floats; i++) {
            assertEquals(3f, v[i], "element " + i);
        }
    }

    @Test
    void aLambdaKernelIsRejectedInClusterMode() {
        try (Worker w = Worker.fromConfig(ConfigFactory.parseString("strata.cluster.enabled = true"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> w.registerChipCallable("lambda", ctx -> { }));
            assertTrue(e.getMessage().contains("lambda") && e.getMessage().contains("worker node"), e.getMessage());
        }
    }
}
