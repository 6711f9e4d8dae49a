package dev.strata.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The head's remote chip dispatches that wait for an answer, without the actor ({@link DispatchDelivery} is its
 * shell): each dispatch gets a head-unique id, and exactly one of three things ends it —
 * <ul>
 *   <li>its answer ({@link ChipEntity.Ran} with that id) completes it; an answer whose id is no longer pending
 *       (a dispatch already given up, or answered before) is counted and ignored, never applied twice;</li>
 *   <li>the removal of its chip's worker node fails it with {@link NodeLostException}: a chip's node is learnt
 *       from its answers, so a chip that has not answered yet may be anywhere and fails too (the caller
 *       dispatches again; the task is safe to re-run, its inputs travel with it);</li>
 *   <li>no reachable worker node for {@code no-worker-timeout} while it waits fails it with
 *       {@link NoWorkerNodeException};</li>
 * </ul>
 * or its caller {@linkplain #expire lets it time out} (task-timeout) or {@linkplain #close gives up} on it. Thread-safe: the remote chips open
 * and close dispatches on their worker actors' threads, the delivery actor does the rest; futures are completed
 * outside the lock.
 */
public final class PendingDispatches {
    /** One dispatch waiting for its answer; {@code answer} completes with it or fails as described above. */
    public record Dispatch(long id, int chip, CompletableFuture<ChipEntity.Ran> answer) {
    }

    private record Open(Dispatch dispatch, long openedNanos) {
    }

    private final Duration noWorkerTimeout;
    private final LongSupplier nanos;
    // Guarded by this.
    private final Map<Long, Open> pending = new HashMap<>();
    private final Map<Integer, String> chipNodes = new HashMap<>();
    // Chips whose node was removed and that have not answered since: sharding moves them, and right after a
    // removal the head's proxy may still route one message to the dead node's region.
    private final Set<Integer> displaced = new HashSet<>();
    private final WorkerNodes workers = new WorkerNodes();
    private long nextId = 1;
    private long noWorkerSince;
    private int reachable; // reachable up worker nodes after the last event
    private long lateAnswers;

    /** Dispatches failing after {@code noWorkerTimeout} without a reachable worker node. */
    public PendingDispatches(Duration noWorkerTimeout) {
        this(noWorkerTimeout, System::nanoTime);
    }

    /** As above, reading time from {@code nanos} ({@code System.nanoTime} but in tests). */
    PendingDispatches(Duration noWorkerTimeout, LongSupplier nanos) {
        this.noWorkerTimeout = noWorkerTimeout;
        this.nanos = nanos;
        this.noWorkerSince = nanos.getAsLong(); // no worker node is known yet
    }

    /** A new dispatch of chip {@code chip}, pending from now. */
    public synchronized Dispatch open(int chip) {
        Dispatch d = new Dispatch(nextId++, chip, new CompletableFuture<>());
        pending.put(d.id(), new Open(d, nanos.getAsLong()));
        return d;
    }

    /** The caller gave up on dispatch {@code id} (or has its answer): an answer arriving later is ignored. */
    public synchronized void close(long id) {
        pending.remove(id);
    }

    /**
     * Dispatch {@code id} got no answer in time: ends it with a null answer (the caller's "time is up"), so that an
     * answer arriving later is ignored; false when it had ended already.
     */
    public boolean expire(long id) {
        Open o;
        synchronized (this) {
            o = pending.remove(id);
        }
        return o != null && o.dispatch().answer().complete(null);
    }

    /**
     * The answer of dispatch {@code id}: completes it and learns its chip's node from it; returns false (and counts
     * it) when the dispatch is no longer pending, so the answer must be ignored.
     */
    public boolean answered(long id, ChipEntity.Ran ran) {
        Open o;
        synchronized (this) {
            o = pending.remove(id);
            if (o == null) {
                lateAnswers++;
                return false;
            }
            chipNodes.put(o.dispatch().chip(), ran.node());
            displaced.remove(o.dispatch().chip());
        }
        o.dispatch().answer().complete(ran);
        return true;
    }

    /** Answers ignored so far because their dispatch was no longer pending. */
    public synchronized long lateAnswers() {
        return lateAnswers;
    }

    /** How many dispatches wait for an answer now. */
    public synchronized int pendingCount() {
        return pending.size();
    }

    /** The node chip {@code chip} last answered from, or null if it has not answered since it may have moved. */
    public synchronized String nodeOf(int chip) {
        return chipNodes.get(chip);
    }

    /**
     * Whether chip {@code chip}'s node was removed and it has not answered since: a message to it may be lost on
     * its way (the proxy's stale route), so even a first attempt is re-sent until answered.
     */
    public synchronized boolean displaced(int chip) {
        return displaced.contains(chip);
    }

    /** A member's status changed ({@link WorkerNodes#onMember}); returns whether the up worker nodes changed. */
    public synchronized boolean onMember(String address, Set<String> roles, boolean isUp) {
        return track(workers.onMember(address, roles, isUp));
    }

    /** A member's reachability changed ({@link WorkerNodes#onReachability}); returns whether that mattered. */
    public synchronized boolean onReachability(String address, Set<String> roles, boolean reachable) {
        return track(workers.onReachability(address, roles, reachable));
    }

    /** Notes when the last reachable worker node went: the no-worker clock starts there. */
    private boolean track(boolean changed) {
        int now = workers.reachableCount();
        if (now == 0 && reachable > 0) {
            noWorkerSince = nanos.getAsLong();
        }
        reachable = now;
        return changed;
    }

    /** How many up worker nodes are reachable now. */
    public synchronized int reachableWorkerNodes() {
        return workers.reachableCount();
    }

    /**
     * Worker node {@code address} was removed from the cluster: fails with {@link NodeLostException} every pending
     * dispatch of a chip that last answered from there or has not answered yet, and forgets where those chips
     * were (sharding moves them to the survivors). Returns how many it failed.
     */
    public int removed(String address) {
        List<Open> lost = new ArrayList<>();
        Map<Long, Boolean> known = new HashMap<>();
        synchronized (this) {
            track(workers.onMember(address, Set.of(MemberConfig.WORKER_ROLE), false));
            for (Iterator<Open> it = pending.values().iterator(); it.hasNext(); ) {
                Open o = it.next();
                String node = chipNodes.get(o.dispatch().chip());
                if (node == null || node.equals(address)) {
                    it.remove();
                    lost.add(o);
                    known.put(o.dispatch().id(), node != null);
                }
            }
            for (Iterator<Map.Entry<Integer, String>> it = chipNodes.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Integer, String> e = it.next();
                if (e.getValue().equals(address)) {
                    displaced.add(e.getKey());
                    it.remove();
                }
            }
        }
        for (Open o : lost) {
            Dispatch d = o.dispatch();
            d.answer().completeExceptionally(new NodeLostException(address, "lost with worker node " + address
                    + ", removed from the cluster" + (known.get(d.id()) ? ""
                    : " (chip " + d.chip() + " had not answered yet, so it may have run there)")));
        }
        return lost.size();
    }

    /**
     * Fails every pending dispatch with {@link NoWorkerNodeException} when no worker node has been reachable for
     * the no-worker timeout while it waited (counted from the later of the last worker node going and the oldest
     * dispatch opening); returns how many it failed. Called periodically.
     */
    public int expireWithoutWorkers() {
        List<Open> expired;
        String message;
        synchronized (this) {
            if (pending.isEmpty() || workers.reachableCount() > 0) {
                return 0;
            }
            long oldest = Long.MAX_VALUE;
            for (Open o : pending.values()) {
                oldest = Math.min(oldest, o.openedNanos());
            }
            long since = Math.max(noWorkerSince, oldest);
            if (nanos.getAsLong() - since < noWorkerTimeout.toNanos()) {
                return 0;
            }
            expired = new ArrayList<>(pending.values());
            pending.clear();
            List<String> up = workers.addresses();
            message = "no worker node reachable for " + HeadJoin.seconds(noWorkerTimeout)
                    + " (strata.cluster.no-worker-timeout) while " + expired.size() + " chip task(s) waited for one;"
                    + (up.isEmpty() ? " no worker node is up in the cluster"
                    : " worker node(s) up but unreachable: " + String.join(", ", up))
                    + "; start worker nodes with `strata node <node.conf>` or check the network";
        }
        for (Open o : expired) {
            o.dispatch().answer().completeExceptionally(new NoWorkerNodeException(message));
        }
        return expired.size();
    }
}
