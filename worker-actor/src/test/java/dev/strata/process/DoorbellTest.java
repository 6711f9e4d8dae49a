package dev.strata.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.process.Doorbell.Wake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DoorbellTest {
    @TempDir
    Path dir;

    @Test
    void ringWakesTheOtherEndAndStaleRingsAreDrainedTogether() throws Exception {
        try (Doorbell.Listener listener = Doorbell.listen(dir.resolve("d.sock"))) {
            assertNull(listener.accept(1_000_000), "nobody connected yet");
            CompletableFuture<Doorbell> child = CompletableFuture.supplyAsync(() -> {
                try {
                    return Doorbell.connect(listener.path());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Doorbell parent = null;
            while (parent == null) {
                parent = listener.accept(1_000_000_000L);
            }
            listener.close();
            assertFalse(Files.exists(listener.path()), "the socket file goes as soon as the child is connected");
            try (Doorbell p = parent; Doorbell c = child.get(10, TimeUnit.SECONDS)) {
                assertEquals(Wake.TIMEOUT, p.await(1_000_000));
                c.ring();
                assertEquals(Wake.RUNG, p.await(0));
                c.ring();
                c.ring();
                assertEquals(Wake.RUNG, p.await(1_000_000_000L));
                assertEquals(Wake.TIMEOUT, p.await(1_000_000), "both rings were consumed by one wake");
                p.ring();
                assertEquals(Wake.RUNG, c.await(0));
            }
        }
    }

    @Test
    void closedEndIsReportedAtOnce() throws Exception {
        try (Doorbell.Listener listener = Doorbell.listen(dir.resolve("e.sock"))) {
            Doorbell c = Doorbell.connect(listener.path());
            Doorbell p = listener.accept(10_000_000_000L);
            assertNotNull(p);
            c.close();
            long start = System.nanoTime();
            assertEquals(Wake.CLOSED, p.await(10_000_000_000L));
            assertTrue(System.nanoTime() - start < 5_000_000_000L);
            p.ring(); // ringing a closed end is harmless
            p.close();
        }
    }
}
