package dev.strata.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The critical path of a traced run: the chain of dependent tasks (following the trace's producer edges)
 * whose durations add up to the most. A task's duration is from its first member's start to its last
 * member's end; tasks that did not run weigh 0. No run can be shorter than this chain.
 *
 * @param slots       the chain, first producer first
 * @param lengthNanos the sum of its tasks' durations
 */
public record CriticalPath(List<Integer> slots, long lengthNanos) {

    public CriticalPath {
        slots = List.copyOf(slots);
    }

    /** The critical path of {@code tasks} (producers always have smaller slots than their consumers). */
    public static CriticalPath of(List<TaskTrace> tasks) {
        Map<Integer, long[]> span = new HashMap<>(); // slot -> {first start, last end}
        Map<Integer, int[]> producers = new HashMap<>();
        List<Integer> slots = new ArrayList<>();
        for (TaskTrace t : tasks) {
            if (!producers.containsKey(t.slot())) {
                producers.put(t.slot(), t.producers());
                slots.add(t.slot());
            }
            if (t.ran()) {
                long[] s = span.computeIfAbsent(t.slot(), k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
                s[0] = Math.min(s[0], t.startNanos());
                s[1] = Math.max(s[1], t.endNanos());
            }
        }
        Collections.sort(slots);
        Map<Integer, Long> best = new HashMap<>();
        Map<Integer, Integer> via = new HashMap<>();
        int end = -1;
        long endLength = -1;
        for (int slot : slots) {
            long[] s = span.get(slot);
            long own = s == null ? 0 : Math.max(0, s[1] - s[0]);
            long before = 0;
            int from = -1;
            for (int p : producers.get(slot)) {
                Long b = best.get(p);
                if (b != null && b > before) {
                    before = b;
                    from = p;
                }
            }
            best.put(slot, before + own);
            via.put(slot, from);
            if (before + own > endLength) {
                endLength = before + own;
                end = slot;
            }
        }
        List<Integer> chain = new ArrayList<>();
        for (int s = end; s >= 0; s = via.get(s)) {
            chain.add(s);
        }
        Collections.reverse(chain);
        return new CriticalPath(chain, Math.max(0, endLength));
    }
}
