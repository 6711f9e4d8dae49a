package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A cluster head whose run needs a worker node when none is reachable: the run fails, saying so, in time. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NoWorkerNodeClusterTest {
    @Test
    void aChipTaskWithoutAnyWorkerNodeFailsAfterTheNoWorkerTimeoutWithAClearError() {
        int headPort = LoopbackCluster.freePort();
        try (Worker head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort,
                List.of(headPort))
                + "strata.cluster { enabled = true, min-worker-nodes = 0, task-timeout = 10 minutes,"
                + " no-worker-timeout = 2 s }\n"
                + "strata.worker { chip-workers = 2, sub-workers = 1, arena-size = 16 MiB, heap-ring-size = 16 MiB }\n"))) {
            long fill = head.registerChipCallable("fill", new ChipEntitiesClusterTest.Fill());
            head.init();
            ContinuousTensor t = head.memory().allocate(DataType.FLOAT32, 4);
            long start = System.nanoTime();
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> head.run(Task.of((orch, a, c) ->
                    orch.submitNextLevel(fill, new TaskArgs().addTensor(t, TensorArgType.OUTPUT_EXISTING)
                            .addScalar(1), CallConfig.DEFAULT))));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            String m = e.getMessage();
            assertTrue(m.contains("fill") && m.contains("no worker node reachable for 2 s")
                    && m.contains("strata.cluster.no-worker-timeout") && m.contains("no worker node is up"), m);
            // 2 s plus one check interval (0.2 s), with a wide margin for a loaded machine; not the task timeout.
            assertTrue(took.compareTo(Duration.ofSeconds(60)) < 0, "failed after " + took);
            assertTrue(took.compareTo(Duration.ofSeconds(2)) >= 0, "not before the timeout: " + took);
        }
    }
}
