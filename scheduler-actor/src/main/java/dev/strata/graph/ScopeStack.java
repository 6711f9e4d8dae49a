package dev.strata.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * Nested scopes of the orchestrator: each holds the slots submitted inside it, whose scope reference is
 * released when the scope ends. {@code Worker.run} opens the outermost one.
 */
public final class ScopeStack {
    public static final int MAX_DEPTH = 64;

    private final List<IntList> scopes = new ArrayList<>();
    private int depth;

    /** Opens a scope; at most {@link #MAX_DEPTH} may be open. */
    public void begin() {
        if (depth == MAX_DEPTH) {
            throw new IllegalStateException("scope nesting exceeds " + MAX_DEPTH + " levels");
        }
        if (scopes.size() == depth) {
            scopes.add(new IntList(64));
        }
        scopes.get(depth++).clear();
    }

    /** Records {@code slot} in the innermost scope. */
    public void register(int slot) {
        if (depth == 0) {
            throw new IllegalStateException("task slot " + slot + " submitted outside any scope");
        }
        scopes.get(depth - 1).add(slot);
    }

    /** Closes the innermost scope and returns its slots, in submit order. */
    public int[] end() {
        if (depth == 0) {
            throw new IllegalStateException("scopeEnd without scopeBegin");
        }
        return scopes.get(--depth).toArray();
    }

    public int depth() {
        return depth;
    }
}
