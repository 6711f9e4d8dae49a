package dev.strata.stress;

import dev.strata.protocol.TensorArgType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The seed's tag semantics replayed sequentially over the operations of one run: which earlier nodes every
 * task must run after, and — when some tasks throw — which tasks must run and which must be skipped.
 *
 * <p>The rules, exactly the seed's {@code DistOrchestrator::infer_deps} (ARCHITECTURE.md §3), nothing
 * stricter:
 * <ul>
 *   <li>The tensor map holds, per data address, its last writer. A node's tensors are walked member by member,
 *       tensor by tensor, each lookup and insert done in that order; a lookup that finds the node itself is
 *       skipped (a group, or a task naming a buffer twice, never depends on itself).</li>
 *   <li>INPUT looks the address up (read after write). INOUT looks it up, then becomes its writer.
 *       OUTPUT and OUTPUT_EXISTING only become the writer: they wait for nobody. NO_DEP does neither.
 *       Address 0 is "no tensor" and is skipped.</li>
 *   <li>{@code alloc} is a synthetic node, completed at once, that becomes the writer of its address; waiting
 *       on it never delays anybody.</li>
 *   <li>No write-after-read ordering: a writer never waits for the readers of the value it overwrites
 *       ({@link #readersItMayOvertake}), and INOUT waits only for the last writer.</li>
 *   <li>Scopes change when a slot is consumed and its buffer reclaimed, never who waits for whom. The seed
 *       drops a consumed writer's tensor-map entry; a consumed writer has completed, so "runs after it" holds
 *       either way, and the engine remembers a consumed writer that failed — so this model keeps the entry,
 *       which makes its answer independent of timing.</li>
 * </ul>
 *
 * <p>Failures (where Strata goes beyond the seed): a task runs iff none of its producers failed or was
 * skipped; a task that runs and throws has failed.
 */
final class SequentialModel {

    /** One tensor argument: its data address (0 = none) and access tag. */
    record Arg(long address, TensorArgType tag) {
        Arg {
            Objects.requireNonNull(tag, "tag");
        }
    }

    /** One operation of the orch fn, in submit order. */
    sealed interface Op permits Submit, Alloc, ScopeBegin, ScopeEnd {
    }

    /**
     * A task ({@code members.size() == 1}) or group submit; {@code members} hold each member's tensors with
     * the addresses as submitted (auto-allocated OUTPUTs with the address the runtime filled in).
     */
    record Submit(List<List<Arg>> members) implements Op {
        Submit {
            if (members.isEmpty()) {
                throw new IllegalArgumentException("a submit needs at least one member");
            }
            members = members.stream().map(List::copyOf).toList();
        }
    }

    /** {@code orch.alloc} returned a tensor at {@code address}. */
    record Alloc(long address) implements Op {
    }

    record ScopeBegin() implements Op {
    }

    record ScopeEnd() implements Op {
    }

    /** What a node of the model is. */
    enum Kind { TASK, ALLOC }

    private final List<Op> ops;
    private final List<Kind> kinds = new ArrayList<>();
    private final List<int[]> producers = new ArrayList<>();
    private final List<Integer> groupWidths = new ArrayList<>();
    private final Map<Integer, List<Integer>> overtakes = new HashMap<>();

    /** Replays {@code ops}; each Submit and Alloc becomes a node, numbered from 0 in order. */
    SequentialModel(List<Op> ops) {
        this.ops = List.copyOf(ops);
        Map<Long, Integer> lastWriter = new HashMap<>();
        // Readers of each address's current value, for the write-after-read report only.
        Map<Long, List<Integer>> readersSinceWrite = new HashMap<>();
        int depth = 0;
        for (Op op : this.ops) {
            if (op instanceof ScopeBegin) {
                depth++;
            } else if (op instanceof ScopeEnd) {
                if (depth == 0) {
                    throw new IllegalStateException("scopeEnd without scopeBegin at op " + this.ops.indexOf(op));
                }
                depth--;
            } else if (op instanceof Alloc a) {
                int node = newNode(Kind.ALLOC, new int[0], 0);
                lastWriter.put(a.address(), node);
                readersSinceWrite.remove(a.address());
            } else if (op instanceof Submit s) {
                int node = kinds.size();
                Set<Integer> prods = new LinkedHashSet<>();
                Set<Integer> overtaken = new LinkedHashSet<>();
                for (List<Arg> member : s.members()) {
                    for (Arg arg : member) {
                        long key = arg.address();
                        if (key == 0) {
                            continue;
                        }
                        switch (arg.tag()) {
                            case INPUT -> {
                                lookup(lastWriter, key, node, prods);
                                readersSinceWrite.computeIfAbsent(key, k -> new ArrayList<>()).add(node);
                            }
                            case INOUT -> {
                                lookup(lastWriter, key, node, prods);
                                write(lastWriter, readersSinceWrite, key, node, overtaken);
                            }
                            case OUTPUT, OUTPUT_EXISTING -> write(lastWriter, readersSinceWrite, key, node, overtaken);
                            case NO_DEP -> {
                            }
                        }
                    }
                }
                newNode(Kind.TASK, prods.stream().mapToInt(Integer::intValue).toArray(), s.members().size());
                overtaken.removeAll(prods);
                overtaken.remove(node);
                if (!overtaken.isEmpty()) {
                    overtakes.put(node, List.copyOf(overtaken));
                }
            }
        }
    }

    private static void lookup(Map<Long, Integer> lastWriter, long key, int node, Set<Integer> prods) {
        Integer p = lastWriter.get(key);
        if (p != null && p != node) {
            prods.add(p);
        }
    }

    private static void write(Map<Long, Integer> lastWriter, Map<Long, List<Integer>> readers, long key, int node,
                              Set<Integer> overtaken) {
        List<Integer> r = readers.remove(key);
        if (r != null) {
            overtaken.addAll(r);
        }
        lastWriter.put(key, node);
    }

    private int newNode(Kind kind, int[] prods, int width) {
        kinds.add(kind);
        producers.add(prods);
        groupWidths.add(width);
        return kinds.size() - 1;
    }

    /** Number of nodes (tasks and allocs). */
    int nodes() {
        return kinds.size();
    }

    Kind kind(int node) {
        return kinds.get(node);
    }

    /** Members of task {@code node}: 1, or N for a group; 0 for an alloc. */
    int width(int node) {
        return groupWidths.get(node);
    }

    /**
     * The distinct earlier nodes {@code node} must start after (every member after every member of each), in
     * the order first found. May include ALLOC nodes, which are complete from the start.
     */
    int[] producers(int node) {
        return producers.get(node).clone();
    }

    /**
     * Earlier readers of a value {@code node} overwrites that it does NOT wait for (write after read is not
     * ordered in the seed's semantics). Informational: the engine may let {@code node} run before them.
     */
    List<Integer> readersItMayOvertake(int node) {
        return overtakes.getOrDefault(node, List.of());
    }

    /** Task nodes, in submit order. */
    int[] tasks() {
        return java.util.stream.IntStream.range(0, nodes()).filter(n -> kinds.get(n) == Kind.TASK).toArray();
    }

    /**
     * Which task nodes run when the tasks in {@code throwing} throw: a task runs iff none of its producers
     * failed or was skipped. Bit n set = node n runs (alloc nodes count as run).
     */
    BitSet runs(BitSet throwing) {
        BitSet runs = new BitSet(nodes());
        BitSet bad = new BitSet(nodes()); // failed or skipped
        for (int n = 0; n < nodes(); n++) {
            boolean blocked = false;
            for (int p : producers.get(n)) {
                blocked |= bad.get(p);
            }
            if (blocked) {
                bad.set(n);
            } else {
                runs.set(n);
                if (throwing.get(n)) {
                    bad.set(n);
                }
            }
        }
        return runs;
    }

    /** Tasks that run and throw: the failures a run must report (the first of which it throws). */
    BitSet failing(BitSet throwing) {
        BitSet f = runs(throwing);
        f.and(throwing);
        return f;
    }

    /** The operations this model replayed. */
    List<Op> ops() {
        return ops;
    }

    /** A readable listing of the nodes and their producers, for assertion messages. */
    String describe() {
        StringBuilder b = new StringBuilder();
        int node = 0;
        int depth = 0;
        for (Op op : ops) {
            if (op instanceof ScopeBegin) {
                b.append("  ".repeat(depth++)).append("scopeBegin\n");
                continue;
            }
            if (op instanceof ScopeEnd) {
                b.append("  ".repeat(--depth)).append("scopeEnd\n");
                continue;
            }
            b.append("  ".repeat(depth)).append('#').append(node).append(' ');
            if (op instanceof Alloc a) {
                b.append("alloc @").append(Long.toHexString(a.address()));
            } else if (op instanceof Submit s) {
                b.append(s.members().size() > 1 ? "group" + s.members().size() : "task").append(' ');
                for (List<Arg> m : s.members()) {
                    b.append('[');
                    for (Arg a : m) {
                        b.append(a.tag()).append(" @").append(Long.toHexString(a.address())).append(' ');
                    }
                    b.append(']');
                }
                b.append(" after ").append(Arrays.toString(producers.get(node)));
            }
            b.append('\n');
            node++;
        }
        return b.toString();
    }
}
