package dev.strata.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ScopeStackTest {

    @Test
    void nestedScopesReturnTheirOwnSlots() {
        ScopeStack s = new ScopeStack();
        s.begin();
        s.register(1);
        s.begin();
        s.register(2);
        s.register(3);
        assertArrayEquals(new int[] {2, 3}, s.end());
        s.register(4);
        assertArrayEquals(new int[] {1, 4}, s.end());
        assertEquals(0, s.depth());
    }

    @Test
    void endWithoutBeginFails() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ScopeStack().end());
        assertTrue(e.getMessage().contains("scopeEnd without scopeBegin"), e.getMessage());
    }

    @Test
    void registerOutsideAScopeFails() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ScopeStack().register(5));
        assertTrue(e.getMessage().contains("slot 5"), e.getMessage());
    }

    @Test
    void nestingIsLimitedTo64() {
        ScopeStack s = new ScopeStack();
        for (int i = 0; i < ScopeStack.MAX_DEPTH; i++) {
            s.begin();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, s::begin);
        assertTrue(e.getMessage().contains("64"), e.getMessage());
        assertEquals(64, s.depth());
    }

    @Test
    void aReopenedScopeStartsEmpty() {
        ScopeStack s = new ScopeStack();
        s.begin();
        s.begin();
        s.register(1);
        s.end();
        s.begin();
        assertArrayEquals(new int[0], s.end());
    }
}
