package dev.strata.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.SubCallable;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallablesTest {
    private final Callables callables = new Callables();
    private final ChipKernel kernel = ctx -> { };
    private final SubCallable sub = ctx -> { };

    @Test
    void idsAreRegistrationIndexesPerKind() {
        assertEquals(0, callables.addSub(sub));
        assertEquals(0L, callables.addChip("gemm", kernel));
        assertEquals(1, callables.addSub(sub));
        assertEquals(1L, callables.addChip("trsm", kernel));
        assertEquals(List.of(sub, sub), callables.subs());
        assertEquals(List.of(kernel, kernel), callables.kernels());
    }

    @Test
    void everyViewOfTheChipNamesComesFromOneTable() {
        callables.addChip("gemm", kernel);
        callables.addChip("trsm", kernel);
        assertEquals(List.of("gemm", "trsm"), callables.chipNames());
        assertEquals(List.of("gemm", "trsm"), callables.chipNames());
        assertEquals(new Catalog(0, List.of("gemm", "trsm"), 2, 3, 100), callables.catalog(false, 2, 3, 100));
    }

    @Test
    void aChipNameIsUniqueAndNotBlank() {
        callables.addChip("gemm", kernel);
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> callables.addChip("gemm", kernel));
        assertTrue(dup.getMessage().contains("'gemm' is already registered"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> callables.addChip(" ", kernel));
        assertThrows(IllegalArgumentException.class, () -> callables.addChip(null, kernel));
        assertEquals(List.of("gemm"), callables.chipNames(), "a rejected kernel is not registered");
    }

    @Test
    void nullCallablesAreRejected() {
        assertThrows(NullPointerException.class, () -> callables.addSub(null));
        assertThrows(NullPointerException.class, () -> callables.addChip("k", null));
    }

    @Test
    void viewsAreSnapshots() {
        List<String> before = callables.chipNames();
        callables.addChip("gemm", kernel);
        assertEquals(List.of(), before);
        assertThrows(UnsupportedOperationException.class, () -> callables.subs().add(sub));
    }

    @Test
    void atLevel4TheNextLevelCallablesAreTheOrchFns() {
        Callables callables = new Callables();
        callables.addChip("gemm", ctx -> { });
        OrchFn split = (orch, args, config) -> { };
        assertEquals(0, callables.addOrchFn("split", split));
        assertEquals(1, callables.addOrchFn("merge", split));
        assertEquals(List.of("gemm"), callables.nextLevelNames(false));
        assertEquals(List.of("split", "merge"), callables.nextLevelNames(true), "engines below run orch fns");
        assertEquals(new Catalog(0, List.of("split", "merge"), 1, 2, 0), callables.catalog(true, 1, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> callables.addOrchFn("split", split), "taken name");
        assertThrows(IllegalArgumentException.class, () -> callables.addOrchFn(" ", split), "blank name");
        assertEquals(2, callables.orchFns().size());
    }
}
