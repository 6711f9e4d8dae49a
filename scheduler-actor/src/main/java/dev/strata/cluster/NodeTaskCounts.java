package dev.strata.cluster;

import dev.strata.trace.RunTrace;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many chip tasks each worker node ran for a cluster head during the current run, how many were dispatched
 * again after an attempt there failed, and how many bytes of tensors went to each node and came back from it, for
 * the run's summary. The
 * head's {@link RemoteChip}s count an answer each, on their worker actors' threads, so counting is thread-safe;
 * a run {@link #reset() resets} the counts before its first task and {@link #snapshot() reads} them after its
 * drain, when no task is running.
 */
public final class NodeTaskCounts {
    /** The key of retries whose failed attempt's node was not known (the chip had not answered yet). */
    public static final String UNKNOWN_NODE = "unknown node";

    private final Map<String, LongAdder> byNode = new ConcurrentHashMap<>();
    private final Map<Integer, String> chipNodes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> retriesByNode = new ConcurrentHashMap<>();
    private final Queue<Retry> retryLog = new ConcurrentLinkedQueue<>();
    private final Map<String, LongAdder> bytesToNode = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> bytesFromNode = new ConcurrentHashMap<>();
    private final Queue<RunBelow> runsBelow = new ConcurrentLinkedQueue<>();

    /**
     * One task (or group member) of chip {@code chip} ran on the node at {@code address},
     * {@code pekko://strata@host:port}.
     */
    public void ran(int chip, String address) {
        String node = hostPort(address);
        byNode.computeIfAbsent(node, n -> new LongAdder()).increment();
        chipNodes.put(chip, node);
    }

    /**
     * A failed attempt that was dispatched again, for the trace: chip {@code chip}'s attempt on {@code node}
     * ({@code host:port} or {@value #UNKNOWN_NODE}) failed, and the retry was sent at {@code nanos}
     * ({@code System.nanoTime()}, the trace's clock).
     */
    public record Retry(int chip, String node, long nanos) {
    }

    /**
     * Chip {@code chip}'s task was dispatched again because its attempt on the node at {@code address} was lost
     * (the node was removed) or got no answer in time; {@code address} is null when the chip's node was not known.
     */
    public void retried(int chip, String address) {
        String node = address == null ? UNKNOWN_NODE : hostPort(address);
        retriesByNode.computeIfAbsent(node, n -> new LongAdder()).increment();
        retryLog.add(new Retry(chip, node, System.nanoTime()));
    }

    /** This run's retries in the order they were sent, for the trace. */
    public List<Retry> retryLog() {
        return List.copyOf(retryLog);
    }

    /**
     * A task that ran on the node at {@code address} ({@code pekko://strata@host:port}) got {@code toNode} bytes of
     * tensors shipped there, and {@code fromNode} bytes shipped back from there.
     */
    public void shipped(String address, long toNode, long fromNode) {
        String node = hostPort(address);
        bytesToNode.computeIfAbsent(node, n -> new LongAdder()).add(toNode);
        bytesFromNode.computeIfAbsent(node, n -> new LongAdder()).add(fromNode);
    }

    /**
     * A level-3 run that engine {@code worker} ran on the node at {@code address} for one task of this (level-4)
     * run: its {@code trace} is on this head's clock.
     */
    public record RunBelow(int worker, String node, RunTrace trace) {
    }

    /** Engine {@code worker} on the node at {@code address} answered a task with its level-3 run's {@code trace}. */
    public void ranBelow(int worker, String address, RunTrace trace) {
        runsBelow.add(new RunBelow(worker, hostPort(address), trace));
    }

    /** This run's level-3 runs below, in the order their answers were taken. */
    public List<RunBelow> runsBelow() {
        return List.copyOf(runsBelow);
    }

    /** Forgets every count: a run starts. */
    public void reset() {
        byNode.clear();
        chipNodes.clear();
        retriesByNode.clear();
        retryLog.clear();
        bytesToNode.clear();
        bytesFromNode.clear();
        runsBelow.clear();
    }

    /**
     * The retries so far by the node ({@code host:port}, or {@value #UNKNOWN_NODE}) whose attempt failed, in node
     * order; empty if no task was dispatched again.
     */
    public Map<String, Long> retries() {
        Map<String, Long> counts = new TreeMap<>();
        retriesByNode.forEach((node, n) -> counts.put(node, n.sum()));
        return counts;
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
        return sums(byNode);
    }

    /** Bytes of tensors shipped to each node so far ({@code host:port}), in node order. */
    public Map<String, Long> bytesToNodes() {
        return sums(bytesToNode);
    }

    /** Bytes of tensors shipped back from each node so far ({@code host:port}), in node order. */
    public Map<String, Long> bytesFromNodes() {
        return sums(bytesFromNode);
    }

    private static Map<String, Long> sums(Map<String, LongAdder> adders) {
        Map<String, Long> sums = new TreeMap<>();
        adders.forEach((node, n) -> sums.put(node, n.sum()));
        return sums;
    }

    /** {@code host:port} of a member's address {@code pekko://strata@host:port} (anything else as is). */
    static String hostPort(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? address : address.substring(at + 1);
    }
}
