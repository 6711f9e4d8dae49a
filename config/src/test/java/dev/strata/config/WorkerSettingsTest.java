package dev.strata.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.scheduler.WorkerMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WorkerSettingsTest {

    private static InvalidSettingException invalid(String hocon) {
        return assertThrows(InvalidSettingException.class,
                () -> WorkerSettings.fromConfig(ConfigFactory.parseString(hocon)));
    }

    @Test
    void defaultsComeFromReferenceConf() {
        WorkerSettings s = WorkerSettings.defaults();
        assertEquals(3, s.level());
        assertEquals(WorkerMode.THREAD, s.mode());
        assertEquals(0, s.chipWorkers());
        assertEquals(0, s.subWorkers());
        assertEquals(1L << 30, s.heapRingSize());
        assertEquals(Duration.ofSeconds(10), s.allocTimeout());
        assertEquals("strata.worker.blocking-dispatcher", s.dispatcher());
    }

    @Test
    void overridesAreRead() {
        WorkerSettings s = WorkerSettings.fromConfig(ConfigFactory.parseString(
                "strata.worker { level = 4, mode = process, chip-workers = 2, sub-workers = 3,"
                        + " heap-ring-size = 64 MiB, alloc-timeout = 250 ms }"));
        assertEquals(4, s.level());
        assertEquals(WorkerMode.PROCESS, s.mode());
        assertEquals(2, s.chipWorkers());
        assertEquals(3, s.subWorkers());
        assertEquals(64L << 20, s.heapRingSize());
        assertEquals(Duration.ofMillis(250), s.allocTimeout());
    }

    @Test
    void negativeWorkerCountNamesTheKey() {
        InvalidSettingException e = invalid("strata.worker.sub-workers = -1");
        assertEquals("strata.worker.sub-workers", e.key());
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }

    @Test
    void unknownModeNamesTheKeyAndValue() {
        InvalidSettingException e = invalid("strata.worker.mode = FIBER");
        assertEquals("strata.worker.mode", e.key());
        assertTrue(e.getMessage().contains("FIBER"), e.getMessage());
    }

    @Test
    void malformedSizeNamesTheKey() {
        assertEquals("strata.worker.heap-ring-size", invalid("strata.worker.heap-ring-size = lots").key());
    }

    @Test
    void heapRingTooLargeForOneMappingIsRejected() {
        InvalidSettingException e = invalid("strata.worker.heap-ring-size = 4 GiB");
        assertEquals("strata.worker.heap-ring-size", e.key());
    }

    @Test
    void zeroAllocTimeoutIsRejected() {
        assertEquals("strata.worker.alloc-timeout", invalid("strata.worker.alloc-timeout = 0 s").key());
    }

    @Test
    void nonIntegerCountIsRejected() {
        assertEquals("strata.worker.chip-workers", invalid("strata.worker.chip-workers = many").key());
    }

    @Test
    void everyDefaultKeyHasAComment() throws Exception {
        String conf = new String(WorkerSettings.class.getResourceAsStream("/reference.conf").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        String[] lines = conf.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].trim();
            boolean setting = line.matches("[a-z-]+\\s*=.*");
            if (setting) {
                assertTrue(lines[i - 1].trim().startsWith("#"), "no comment above: " + line);
            }
        }
    }
}
