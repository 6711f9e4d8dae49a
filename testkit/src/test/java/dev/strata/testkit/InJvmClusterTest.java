package dev.strata.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cluster's parts without a head: the head's settings, its nodes, a crash, and nothing left after close. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class InJvmClusterTest {

    @Test
    void itsNodesWaitForTheHeadItDescribesAndACrashStopsOneForGood() throws Exception {
        LeakCheck before = LeakCheck.now();
        try (InJvmCluster cluster = InJvmCluster.start(2)) {
            Config head = cluster.headConfig();
            assertTrue(head.getBoolean("strata.cluster.enabled"));
            assertEquals(2, head.getInt("strata.cluster.min-worker-nodes"));
            assertEquals(List.of(cluster.headAddress()), head.getStringList("pekko.cluster.seed-nodes"));
            assertTrue(head.getBoolean("pekko.actor.serialize-messages"));
            assertEquals(2, cluster.nodes().size());
            assertTrue(cluster.node(1).hostPort().startsWith("127.0.0.1:"), cluster.node(1).toString());
            assertThrows(IndexOutOfBoundsException.class, () -> cluster.node(2));

            assertFalse(cluster.node(0).crashed());
            assertFalse(cluster.node(0).stopped());
            cluster.crashAsync(0).get(1, TimeUnit.MINUTES);
            assertTrue(cluster.node(0).crashed());
            assertTrue(cluster.node(0).stopped(), "its actor system has terminated");
            assertFalse(cluster.node(1).stopped(), "the other node runs on");
        }
        assertEquals(List.of(), before.leftBehind(StrataExtension.LEAK_GRACE));
        assertThrows(IllegalArgumentException.class, () -> InJvmCluster.start(0));
    }
}
