package dev.strata.cluster;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many chip tasks each worker node ran for a cluster head during the current run, for the run's summary. The
 * head's {@link RemoteChip}s count an answer each, on their worker actors' threads, so counting is thread-safe;
 * a run {@link #reset() resets} the counts before its first task and {@link #snapshot() reads} them after its
 * drain, when no task is running.
 */
public final class NodeTaskCounts {
    private final Map<String, LongAdder> byNode = new ConcurrentHashMap<>();
    private final Map<Integer, String> chipNodes = new ConcurrentHashMap<>();

    /**
     * One task (or group member) of chip {@code chip} ran on the node at {@code address},
     * {@code pekko://strata@host:port}.
     */
    public void ran(int chip, String address) {
        String node = hostPort(address);
        byNode.computeIfAbsent(node, n -> new LongAdder()).increment();
        chipNodes.put(chip, node);
    }

    /** Forgets every count: a run starts. */
    public void reset() {
        byNode.clear();
        chipNodes.clear();
    }

    /**
     * The node ({@code host:port}) each chip that ran a task in this run ran its last one on: a chip entity stays
     * on its node while the node lives, so this is where the chip is.
     */
    public Map<Integer, String> chipNodes() {
        return new TreeMap<>(chipNodes);
    }

    /** The counts so far by node ({@code host:port}), in node order; empty if no node ran a task. */
    public Map<String, Long> snapshot() {
        Map<String, Long> counts = new TreeMap<>();
        byNode.forEach((node, n) -> counts.put(node, n.sum()));
        return counts;
    }

    /** {@code host:port} of a member's address {@code pekko://strata@host:port} (anything else as is). */
    static String hostPort(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? address : address.substring(at + 1);
    }
}
