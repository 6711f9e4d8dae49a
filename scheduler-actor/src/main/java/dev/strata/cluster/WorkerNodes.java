package dev.strata.cluster;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The worker nodes of a cluster that are up, as a member sees them from its membership events: a member with
 * role {@code worker} counts while its status is Up and stops counting once it leaves, is downed or removed.
 * Not thread-safe: one actor feeds it.
 */
public final class WorkerNodes {
    private final Set<String> up = new TreeSet<>();

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
        return isUp ? up.add(address) : up.remove(address);
    }

    /** How many worker nodes are up. */
    public int count() {
        return up.size();
    }

    /** Their addresses, sorted. */
    public List<String> addresses() {
        return List.copyOf(up);
    }
}
