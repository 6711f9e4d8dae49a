package dev.strata.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ChildSpecTest {
    private static final ChildSpec SPEC = new ChildSpec(123, 1, Path.of("/dev/shm/a b.mbox"), Path.of("/tmp/x.log"),
            Path.of("/tmp/x.sock"),
            Path.of("/dev/shm/m.mem"), 4096, 8192, 2, 100_000_000L, List.of("a.B", "a.B$C"),
            List.of("gemm", "odd:name=with spaces"));

    @Test
    void argumentsRoundTrip() {
        assertEquals(SPEC, ChildSpec.parse(SPEC.toArgs().toArray(new String[0])));
    }

    @Test
    void kernelTableKeepsIdsAndNames() {
        List<String> args = SPEC.toArgs();
        assertTrue(args.contains("--kernel=1:a.B$C:odd:name=with spaces"), args.toString());
    }

    @Test
    void missingArgumentIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChildSpec.parse(new String[] {"--parent-pid=1"}));
        assertTrue(e.getMessage().contains("--chip"), e.getMessage());
    }

    @Test
    void unknownOrMalformedArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ChildSpec.parse(new String[] {"--what=1"}));
        assertThrows(IllegalArgumentException.class, () -> ChildSpec.parse(new String[] {"chip"}));
        assertThrows(IllegalArgumentException.class, () -> ChildSpec.parse(new String[] {"--chip=x"}));
        assertThrows(IllegalArgumentException.class, () -> ChildSpec.parse(new String[] {"--kernel=1:a.B:n"}));
    }

    @Test
    void theTagCheckFlagRoundTripsAndIsOffWhenAbsent() {
        ChildSpec on = new ChildSpec(123, 1, SPEC.mailbox(), SPEC.log(), SPEC.doorbell(), SPEC.memory(), 4096, 8192, 2,
                100_000_000L, SPEC.kernelClasses(), SPEC.kernelNames(), true);
        assertTrue(on.toArgs().contains("--check-tags=on"), on.toArgs().toString());
        assertEquals(on, ChildSpec.parse(on.toArgs().toArray(new String[0])));
        assertEquals(false, ChildSpec.parse(SPEC.toArgs().toArray(new String[0])).checkTags());
        List<String> bad = new java.util.ArrayList<>(SPEC.toArgs());
        bad.add("--check-tags=maybe");
        assertThrows(IllegalArgumentException.class, () -> ChildSpec.parse(bad.toArray(new String[0])));
    }
}
