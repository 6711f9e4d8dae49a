package dev.strata.node.cluster;

import static dev.strata.protocol.TensorArgType.INPUT;
import static dev.strata.protocol.TensorArgType.NO_DEP;
import static dev.strata.protocol.TensorArgType.OUTPUT_EXISTING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import dev.strata.workernode.WorkerNode;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The head's tag checker ({@code strata.check.tags = on}) on a worker node in this JVM, every message serialized: the
 * setting travels with the dispatch, the node checks where the kernel runs, a written INPUT fails the task on the
 * head, a written NO_DEP comes back as a warning in the head's run summary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TagCheckClusterTest {
    private final List<WorkerNode> nodes = new ArrayList<>();
    private Worker head;
    private long copy;
    private long writesInput;

    /** Tensor 1 (OUTPUT_EXISTING) = tensor 0 (INPUT) + 1, element 0: true to its tags. */
    public static final class Copy implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer in = ctx.memory().floats(ctx.args().tensor(0));
            ctx.memory().floats(ctx.args().tensor(1)).put(0, in.get(0) + 1);
        }
    }

    /** Copies tensor 0 into tensor 1 and bumps tensor 0, whatever its tag says. */
    public static final class WritesTensorZero implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            FloatBuffer in = ctx.memory().floats(ctx.args().tensor(0));
            ctx.memory().floats(ctx.args().tensor(1)).put(0, in.get(0));
            in.put(0, in.get(0) + 1);
        }
    }

    @BeforeAll
    void startHeadAndANode() throws Exception {
        int headPort = LoopbackCluster.freePort();
        head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort, List.of(headPort))
                + "strata.cluster { enabled = true, min-worker-nodes = 1, join-timeout = 60 s, task-timeout = 60 s }\n"
                + "strata.worker { chip-workers = 1, arena-size = 4 MiB, heap-ring-size = 4 MiB }\n"
                + "strata.check.tags = on\n"));
        copy = head.registerChipCallable("copy", new Copy());
        writesInput = head.registerChipCallable("writes-tensor-0", new WritesTensorZero());
        LoopbackCluster.joinNodes(head, headPort, 1, "strata.worker.arena-size = 4 MiB\n", nodes);
    }

    @AfterAll
    void stop() {
        if (head != null) {
            head.close();
        }
        nodes.forEach(WorkerNode::close);
    }

    @Test
    void aKernelWritingItsInputOnANodeFailsItsTaskAndTheNextRunSucceeds() {
        ContinuousTensor a = head.memory().allocate(DataType.FLOAT32, 8);
        ContinuousTensor b = head.memory().allocate(DataType.FLOAT32, 8);
        ContinuousTensor c = head.memory().allocate(DataType.FLOAT32, 8);
        int[] slot = new int[1];
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> head.run(Task.of((orch, x, y) -> {
            slot[0] = orch.submitNextLevel(writesInput, new TaskArgs().addTensor(a, INPUT)
                    .addTensor(b, OUTPUT_EXISTING), CallConfig.DEFAULT).taskSlot();
            orch.submitNextLevel(copy, new TaskArgs().addTensor(b, INPUT).addTensor(c, OUTPUT_EXISTING),
                    CallConfig.DEFAULT);
        })));
        String m = e.getMessage();
        assertTrue(m.contains("declared INPUT but written by the callable") && m.contains("'writes-tensor-0'")
                && m.contains("task slot " + slot[0]) && m.contains("tensor 0 of its args")
                && m.contains(a.nbytes() + " bytes") && m.contains("worker node"), m);
        assertEquals("writes-tensor-0", e.callableName());
        assertEquals(1, head.lastRun().skippedTasks(), "the dependent copy did not run");
        assertEquals(0f, head.memory().floats(a).get(0), "a failed task's results do not come back");

        head.run(Task.of((orch, x, y) -> orch.submitNextLevel(copy, new TaskArgs().addTensor(a, INPUT)
                .addTensor(c, OUTPUT_EXISTING), CallConfig.DEFAULT)));
        assertEquals(1f, head.memory().floats(c).get(0));
        assertEquals(List.of(), head.lastRun().warnings(), "a correct kernel is silent");
        head.memory().free(a);
        head.memory().free(b);
        head.memory().free(c);
    }

    @Test
    void aKernelWritingItsNoDepTensorOnANodeLeavesAWarningInTheHeadsSummary() {
        ContinuousTensor a = head.memory().allocate(DataType.FLOAT32, 8);
        ContinuousTensor b = head.memory().allocate(DataType.FLOAT32, 8);
        int[] slot = new int[1];
        head.run(Task.of((orch, x, y) -> slot[0] = orch.submitNextLevel(writesInput, new TaskArgs()
                .addTensor(a, NO_DEP).addTensor(b, OUTPUT_EXISTING), CallConfig.DEFAULT).taskSlot()));
        List<String> warnings = head.lastRun().warnings();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("task slot " + slot[0]) && warnings.get(0).contains("NO_DEP")
                && warnings.get(0).contains("'writes-tensor-0'"), warnings.get(0));
        head.memory().free(a);
        head.memory().free(b);
    }
}
