package dev.strata.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.scheduler.Worker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The level-4 scenarios, tiny, on two real worker-node JVMs started from the test class path (which holds the node
 * program, the bench's kernel and orch fn, as the bench jar does): every figure comes out, (n) uses both engines,
 * every task of (o) carries its level-3 run, and the nodes are gone after.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class Level4ScenarioTest {

    @Test
    void theLevel4ScenariosRunTinyOverTwoEnginesOnTwoNodeJvmsWhichAreReapedAfter(@TempDir Path dir) {
        ClusterScenario.Sizes cluster = ClusterScenario.Sizes.DEFAULT.withTensorBytes(128 << 10);
        LoopbackNodes nodes = new LoopbackNodes(2, System.getProperty("java.class.path"), dir, cluster.arenaBytes());
        Level4Scenario.Sizes sizes = new Level4Scenario.Sizes(40, 20);
        List<String> ids = new ArrayList<>();
        try {
            for (Scenario s : Level4Scenario.all(nodes, cluster, sizes)) {
                try (Worker w = s.newWorker()) {
                    s.register(w);
                    s.init(w);
                    double[] values = s.repetition(w);
                    for (int m = 0; m < values.length; m++) {
                        String id = s.metrics().get(m).id();
                        ids.add(id);
                        assertTrue(values[m] > 0 && Double.isFinite(values[m]), id + " = " + values[m]);
                    }
                    if (s instanceof Level4Scenario.Independent) {
                        assertEquals(2, w.lastRun().tasksByNode().size(), "both engines ran level-4 tasks: "
                                + w.lastRun().tasksByNode());
                    } else {
                        assertEquals(sizes.chainTasks(), w.lastRunTrace().below().size(),
                                "one level-3 run per task of the chain");
                    }
                }
            }
        } finally {
            nodes.close();
        }
        assertEquals(List.of("n", "n-rt50", "o-p50", "o-p99", "o-to50", "o-back50", "o-run50"), ids);
        assertEquals(2, nodes.processes().size());
        for (Process p : nodes.processes()) {
            assertFalse(p.isAlive(), "node " + p.pid() + " still running");
            assertEquals(0, p.exitValue(), "a node asked to leave exits 0" + nodes.describe());
        }
    }
}
