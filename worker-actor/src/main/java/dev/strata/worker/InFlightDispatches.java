package dev.strata.worker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one worker knows about the order of its own dispatches, without the actor: which slots of the current run
 * (epoch) failed or were skipped here, and — for a worker with several tasks in flight ({@link PipelinedWorker}) —
 * which have not ended yet. A dispatch queued early behind producers on this worker ({@link WorkerDispatch#after()})
 * starts only once all of them ended, and is skipped if one of them failed or was skipped. This is the worker's own
 * observation, not a copy of the scheduler's: an early dispatch must see a failure before the scheduler has even
 * heard of it (docs/ring.md, who knows that a slot failed). Forgotten when the next run's epoch arrives. Not
 * thread-safe: the worker actor's thread only.
 */
public final class InFlightDispatches {
    /** What to do with a dispatch now. */
    public enum Decision {
        /** Run it: every producer it follows here succeeded. */
        START,
        /** Do not run it: a producer it follows here failed or was skipped; it counts as skipped. */
        SKIP,
        /** Wait: a producer it follows here has not ended; {@link #ended} hands it back later. */
        HOLD
    }

    /** A held dispatch released by {@link #ended}, started or skipped as {@code decision} says. */
    public record Released(WorkerDispatch dispatch, Decision decision) {
    }

    private int epoch = -1;
    // Of the current epoch: slots that failed or were skipped here, and slots started or held that have not ended.
    private final Set<Integer> failed = new HashSet<>();
    // Per slot, how many of its members (a group's may share a worker) have not ended.
    private final Map<Integer, Integer> unended = new HashMap<>();
    // Held dispatches by slot and group member, in arrival order.
    private final Map<Long, WorkerDispatch> held = new LinkedHashMap<>();

    /**
     * A dispatch arrived: {@code START} (it is now in flight until {@link #ended}), {@code SKIP} (it has ended,
     * skipped) or {@code HOLD}.
     */
    public Decision arrived(WorkerDispatch d) {
        if (d.epoch() != epoch) {
            epoch = d.epoch();
            failed.clear();
            unended.clear();
            held.clear();
        }
        Decision decision = decide(d);
        if (decision == Decision.SKIP) {
            failed.add(d.slot());
        } else {
            unended.merge(d.slot(), 1, Integer::sum);
            if (decision == Decision.HOLD) {
                held.put(key(d), d);
            }
        }
        return decision;
    }

    /**
     * A started dispatch of {@code epoch} ended, {@code failed} or not; returns the held dispatches that can go now,
     * in arrival order (the skipped ones have ended with it; the started ones are in flight). An end of an earlier
     * epoch changes nothing.
     */
    public List<Released> ended(int epoch, int slot, boolean failed) {
        if (epoch != this.epoch) {
            return List.of();
        }
        end(slot);
        if (failed) {
            this.failed.add(slot);
        }
        List<Released> out = new ArrayList<>();
        boolean changed = true;
        while (changed && !held.isEmpty()) {
            changed = false;
            for (Iterator<WorkerDispatch> it = held.values().iterator(); it.hasNext(); ) {
                WorkerDispatch d = it.next();
                Decision decision = decide(d);
                if (decision == Decision.HOLD) {
                    continue;
                }
                it.remove();
                out.add(new Released(d, decision));
                if (decision == Decision.SKIP) {
                    end(d.slot());
                    this.failed.add(d.slot());
                    changed = true; // dispatches held behind it may be skipped now
                }
            }
        }
        return out;
    }

    /** Dispatches started and not ended, and held ones. */
    public int inFlight() {
        int n = 0;
        for (int members : unended.values()) {
            n += members;
        }
        return n;
    }

    private void end(int slot) {
        unended.computeIfPresent(slot, (s, n) -> n == 1 ? null : n - 1);
    }

    private Decision decide(WorkerDispatch d) {
        boolean waiting = false;
        for (int p : d.after()) {
            if (failed.contains(p)) {
                return Decision.SKIP;
            }
            if (unended.containsKey(p) && p != d.slot()) {
                waiting = true;
            }
        }
        return waiting ? Decision.HOLD : Decision.START;
    }

    private static long key(WorkerDispatch d) {
        return ((long) d.slot() << 32) | (d.groupIndex() & 0xffffffffL);
    }
}
