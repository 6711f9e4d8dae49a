package dev.strata.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StarPuPeerTest {
    /** What the harness prints (starpu_bench.c, report()), abridged to the lines that matter. */
    static final String OUTPUT = """
            # StarPU 1.3.10, 2 CPU workers, sched=eager
            indep_nodata    n=100000  wall_s med=0.3000 min=0.2900 max=0.3100 | tasks/s med=333333 (min 322581 max 344828) | us/task med=3.000 | submit_s med=0.2000
            # registering 100000 handles took 0.0500 s (0.500 us/handle, not counted below)
            indep_W         n=100000  wall_s med=0.4000 min=0.3980 max=0.8900 | tasks/s med=250000 (min 112360 max 251256) | us/task med=4.000 | submit_s med=0.3000
            chain_RW        n=10000   wall_s med=0.0590 min=0.0440 max=0.1450 | tasks/s med=169492 (min 68966 max 227273) | us/task med=5.900 | submit_s med=0.0300 | hop_us med=5.900 min=4.400 max=14.500
            chain_RW_exec   n=10000   wall_s med=0.0500 min=0.0400 max=0.0600 | tasks/s med=200000 (min 166667 max 250000) | us/task med=5.000 | submit_s med=0.0300 | hop_us med=5.000 min=4.000 max=6.000
            fan_1_1000_1    n=1002    wall_s med=0.0078 min=0.0043 max=0.0089 | tasks/s med=128462 (min 112584 max 233023) | us/task med=7.784 | submit_s med=0.0040
            """;

    @Test
    void readsTheThreeSharedShapesInStratasUnits() {
        StarPuPeer.Figures f = StarPuPeer.parse(OUTPUT);
        assertEquals(250_000, f.independentTasksPerSecond(), "indep_W, not indep_nodata");
        assertEquals(5.9, f.chainMicrosPerHop(), 1e-9, "chain_RW, not chain_RW_exec");
        assertEquals(7.8, f.fanMillisPerRun(), 1e-9, "fan wall seconds as ms per run");
        assertEquals(250_000, f.forMetric("a2"));
        assertEquals(5.9, f.forMetric("b-hop"), 1e-9);
        assertTrue(Double.isNaN(f.forMetric("d")), "no StarPU figure for groups");
    }

    @Test
    void aShapeMissingFromTheOutputIsNaN() {
        StarPuPeer.Figures f = StarPuPeer.parse("# StarPU 1.3.10\n");
        assertTrue(Double.isNaN(f.independentTasksPerSecond()) && Double.isNaN(f.chainMicrosPerHop())
                && Double.isNaN(f.fanMillisPerRun()));
    }
}
