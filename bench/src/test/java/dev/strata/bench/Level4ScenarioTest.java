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
 * The level-4 scenarios, tiny, on two real worker-node JVMs started from the test class path (which holds the node
 * program, the bench's kernel and orch fn, as the bench jar does): every figure comes out, the overhead is measured
 * on every task of the chain, and the nodes are gone after.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class Level4ScenarioTest {

    @Test
    void theLevel4ScenariosRunTinyOverTwoEnginesOnTwoNodeJvmsWhichAreReapedAfter(@TempDir Path dir) {
        ClusterScenario.Sizes cluster = ClusterScenario.Sizes.DEFAULT.withTensorBytes(128 << 10);
        LoopbackNodes nodes = new LoopbackNodes(2, System.getProperty("java.class.path"), dir, cluster.arenaBytes());
        List<Result> results = new ArrayList<>();
        try {
            for (Scenario s : Level4Scenario.all(nodes, cluster, new Level4Scenario.Sizes(40, 20))) {
                results.addAll(BenchMain.measure(s, 0, 1));
            }
        } finally {
            nodes.close();
        }
        assertEquals(List.of("n", "n-rt50", "o-p50", "o-p99", "o-run50"),
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
