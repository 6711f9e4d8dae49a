package dev.strata.node.cluster;

import com.typesafe.config.ConfigFactory;
import dev.strata.cluster.WorkerNode;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Throwaway: MB/s each way on loopback. */
class MeasureTransferTest {
    public static final class Nop implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
        }
    }

    @Test
    void measure() throws Exception {
        String serialize = System.getProperty("measure.serialize", "on");
        int headPort = LoopbackCluster.freePort();
        Worker head = Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(headPort, List.of(headPort))
                .replace("serialize-messages = on", "serialize-messages = " + serialize)
                + "strata.cluster { enabled = true, min-worker-nodes = 1, join-timeout = 60 s, task-timeout = 60 s }\n"
                + "strata.worker { chip-workers = 1, sub-workers = 1, arena-size = 160 MiB, heap-ring-size = 16 MiB }\n"));
        long nop = head.registerChipCallable("nop", new Nop());
        CompletableFuture<Void> init = CompletableFuture.runAsync(head::init);
        WorkerNode node = WorkerNode.start(LoopbackCluster.config(LoopbackCluster.member(0, List.of(headPort))
                .replace("serialize-messages = on", "serialize-messages = " + serialize),
                "strata.worker.arena-size = 160 MiB\n"));
        init.get(90, TimeUnit.SECONDS);
        StringBuilder out = new StringBuilder("serialize-messages=" + serialize + "\n");
        for (int mib : new int[] {16, 64}) {
            ContinuousTensor t = head.memory().allocate(DataType.UINT8, mib << 20);
            for (TensorArgType tag : new TensorArgType[] {TensorArgType.INPUT, TensorArgType.OUTPUT,
                    TensorArgType.INOUT}) {
                double[] ms = new double[7];
                for (int r = 0; r < ms.length; r++) {
                    long t0 = System.nanoTime();
                    head.run(Task.of((orch, a, c) -> orch.submitNextLevel(nop, new TaskArgs().addTensor(t, tag),
                            CallConfig.DEFAULT)));
                    ms[r] = (System.nanoTime() - t0) / 1e6;
                }
                double[] sorted = ms.clone();
                Arrays.sort(sorted);
                double median = sorted[sorted.length / 2];
                double bytes = (tag == TensorArgType.INOUT ? 2.0 : 1.0) * (mib << 20);
                out.append(String.format("%d MiB %s: median %.0f ms -> %.0f MB/s (runs %s)%n", mib, tag, median,
                        bytes / 1e6 / (median / 1e3), Arrays.toString(Arrays.stream(ms).mapToLong(Math::round)
                                .toArray())));
            }
            head.memory().free(t);
        }
        System.err.println(out);
        java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/measure/result-" + serialize + ".txt"), out);
        head.close();
        node.close();
    }
}
