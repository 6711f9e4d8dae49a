package dev.strata.node.cluster;

import dev.strata.testkit.InJvmNode;

/**
 * A worker node whose actor system this test holds, so it can {@link #crash()} as a killed JVM stops: the test
 * kit's {@link InJvmNode}, under the names the cluster tests use.
 */
final class CrashableNode implements AutoCloseable {
    private final InJvmNode node;

    /** A node of the cluster whose seed is {@code seedPort}, with {@code extra} HOCON (failure detector...). */
    CrashableNode(int seedPort, String extra) {
        node = InJvmNode.start(seedPort, extra);
    }

    String address() {
        return node.address();
    }

    /** Chip tasks this node started. */
    long tasksRun() {
        return node.tasksRun();
    }

    /** Stops the actor system at once, without leaving the cluster; returns once it has stopped. */
    void crash() {
        node.crash();
    }

    @Override
    public void close() {
        node.close();
    }
}
