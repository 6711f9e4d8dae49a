package dev.strata.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.bench.BenchMain.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster scenarios, tiny, on two real worker-node JVMs started from the test class path (which holds the node
 * program and the bench's kernels, as the bench jar does): every figure comes out, and the nodes are gone after.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterScenarioTest {

    @Test
    void theClusterScenariosRunTinyOnTwoNodeJvmsWhichAreReapedAfter(@TempDir Path dir) {
        // 128 KiB: under the 200 KiB a task may ship inline until tensors are streamed.
        ClusterScenario.Sizes tiny = new ClusterScenario.Sizes(2, 300, 50, 128 << 10, 2);
        LoopbackNodes nodes = new LoopbackNodes(2, System.getProperty("java.class.path"), dir, tiny.arenaBytes());
        List<Result> results = new ArrayList<>();
        try {
            for (Scenario s : ClusterScenario.all(nodes, tiny)) {
                results.addAll(BenchMain.measure(s, 0, 1));
            }
        } finally {
            nodes.close();
        }
        assertEquals(List.of("k", "k-rt50", "l-p50", "l-p99", "l", "m", "m-task"),
                results.stream().map(r -> r.metric().id()).toList());
        for (Result r : results) {
            double v = r.stats().median();
            assertTrue(v > 0 && Double.isFinite(v), r.metric().id() + " = " + v);
        }
        assertEquals(2, nodes.processes().size());
        for (Process p : nodes.processes()) {
            assertFalse(p.isAlive(), "node " + p.pid() + " still running");
            assertEquals(0, p.exitValue(), "a node asked to leave exits 0" + nodes.describe());
        }
    }
}
