package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerNodesTest {
    private static final String A = "pekko://strata@127.0.0.1:25521";
    private static final String B = "pekko://strata@127.0.0.1:25522";
    private static final String HEAD = "pekko://strata@127.0.0.1:25520";

    @Test
    void countsWorkerNodesWhileTheyAreUp() {
        WorkerNodes nodes = new WorkerNodes();
        assertTrue(nodes.onMember(B, Set.of("worker"), true));
        assertTrue(nodes.onMember(A, Set.of("worker", "dc-default"), true));
        assertFalse(nodes.onMember(A, Set.of("worker"), true), "a repeated Up changes nothing");
        assertEquals(2, nodes.count());
        assertEquals(List.of(A, B), nodes.addresses());

        assertTrue(nodes.onMember(A, Set.of("worker"), false), "leaving, downed or removed: no longer counted");
        assertEquals(List.of(B), nodes.addresses());
        assertFalse(nodes.onMember(A, Set.of("worker"), false));
    }

    @Test
    void membersWithoutTheWorkerRoleDoNotCount() {
        WorkerNodes nodes = new WorkerNodes();
        assertFalse(nodes.onMember(HEAD, Set.of("head"), true));
        assertEquals(0, nodes.count());
        assertEquals(List.of(), nodes.addresses());
    }

    @Test
    void anUnreachableUpNodeStaysUpButIsNotReachableUntilItIsBack() {
        WorkerNodes nodes = new WorkerNodes();
        nodes.onMember(A, Set.of("worker"), true);
        nodes.onMember(B, Set.of("worker"), true);
        assertTrue(nodes.onReachability(A, Set.of("worker"), false));
        assertEquals(2, nodes.count());
        assertEquals(1, nodes.reachableCount());
        assertFalse(nodes.onReachability(A, Set.of("worker"), false), "already unreachable");
        assertFalse(nodes.onReachability(HEAD, Set.of("head"), false), "not a worker node");
        assertTrue(nodes.onReachability(A, Set.of("worker"), true));
        assertEquals(2, nodes.reachableCount());
        nodes.onReachability(B, Set.of("worker"), false);
        nodes.onMember(B, Set.of("worker"), false); // downed while unreachable
        assertEquals(1, nodes.reachableCount());
        nodes.onMember(B, Set.of("worker"), true); // the same address joins again: reachable
        assertEquals(2, nodes.reachableCount());
    }
}
