package dev.strata.cluster;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The worker nodes of a cluster that are up, as a member sees them from its membership events: a member with
 * role {@code worker} counts while its status is Up and stops counting once it leaves, is downed or removed.
 * Reachability events narrow that to the ones reachable now: an up node the failure detector marked unreachable
 * is still up (it may come back), but nothing it runs can answer meanwhile. Not thread-safe: one actor feeds it.
 */
public final class WorkerNodes {
    private final Set<String> up = new TreeSet<>();
    private final Set<String> unreachable = new TreeSet<>();

    /**
     * Takes one member's new state; returns whether the set of up worker nodes changed.
     *
     * @param address the member's address, e.g. {@code pekko://strata@127.0.0.1:25521}
     * @param roles   its roles
     * @param isUp    whether its status is now Up
     */
    public boolean onMember(String address, Set<String> roles, boolean isUp) {
        if (!roles.contains(MemberConfig.WORKER_ROLE)) {
            return false;
        }
        if (!isUp) {
            unreachable.remove(address); // a member that is gone is neither reachable nor unreachable any more
        }
        return isUp ? up.add(address) : up.remove(address);
    }

    /**
     * Takes a member's reachability as the failure detector sees it; returns whether the set of reachable up
     * worker nodes changed.
     */
    public boolean onReachability(String address, Set<String> roles, boolean reachable) {
        if (!roles.contains(MemberConfig.WORKER_ROLE)) {
            return false;
        }
        boolean changed = reachable ? unreachable.remove(address) : unreachable.add(address);
        return changed && up.contains(address);
    }

    /** How many worker nodes are up. */
    public int count() {
        return up.size();
    }

    /** Their addresses, sorted. */
    public List<String> addresses() {
        return List.copyOf(up);
    }

    /** How many up worker nodes are reachable now: the ones a task can run on. */
    public int reachableCount() {
        int n = 0;
        for (String a : up) {
            if (!unreachable.contains(a)) {
                n++;
            }
        }
        return n;
    }
}
