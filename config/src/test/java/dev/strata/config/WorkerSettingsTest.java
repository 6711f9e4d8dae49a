package dev.strata.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
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
        assertEquals(ChipMode.THREAD, s.mode());
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
        assertEquals(ChipMode.PROCESS, s.mode());
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
    void missingMemoryDirNamesTheKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        InvalidSettingException e = invalid("strata.worker.memory-dir = \"" + dir.resolve("absent") + "\"");
        assertEquals("strata.worker.memory-dir", e.key());
        assertTrue(e.getMessage().contains("existing, writable directory"), e.getMessage());
        assertEquals(dir.toString(), WorkerSettings.fromConfig(ConfigFactory.parseString(
                "strata.worker.memory-dir = \"" + dir + "\"")).memoryDir());
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
    void taskWindowDefaultsTo256kAndIsBoundedBothWays() {
        assertEquals(262_144, WorkerSettings.defaults().taskWindow());
        assertEquals(4096, WorkerSettings.defaults().withTaskWindow(4096).taskWindow());
        InvalidSettingException small = invalid("strata.worker.task-window = 10");
        assertEquals("strata.worker.task-window", small.key());
        assertTrue(small.getMessage().contains("between 1024 and"), small.getMessage());
        assertEquals("strata.worker.task-window", invalid("strata.worker.task-window = 2147483647").key());
        assertEquals("strata.worker.task-window", invalid("strata.worker.task-window = lots").key());
    }

    @Test
    void zeroAllocTimeoutIsRejected() {
        assertEquals("strata.worker.alloc-timeout", invalid("strata.worker.alloc-timeout = 0 s").key());
    }

    @Test
    void unknownDispatcherIsRejectedNamingTheKey() {
        InvalidSettingException e = invalid("strata.worker.dispatcher = nope");
        assertEquals("strata.worker.dispatcher", e.key());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void nonIntegerCountIsRejected() {
        assertEquals("strata.worker.chip-workers", invalid("strata.worker.chip-workers = many").key());
    }

    @Test
    void processDefaultsComeFromReferenceConf() {
        ProcessSettings p = WorkerSettings.defaults().process();
        assertEquals("", p.java());
        assertEquals(java.util.List.of(), p.jvmOptions());
        assertEquals(Duration.ofSeconds(30), p.startTimeout());
        assertEquals(Duration.ofMinutes(10), p.taskTimeout());
        assertEquals(Duration.ofMillis(100), p.heartbeatInterval());
        assertEquals(Duration.ofSeconds(3), p.heartbeatTimeout());
        assertEquals(1 << 20, p.mailboxSize());
        assertEquals(p, ProcessSettings.defaults());
    }

    @Test
    void processOverridesAreRead() {
        ProcessSettings p = WorkerSettings.fromConfig(ConfigFactory.parseString(
                "strata.worker.process { java = /opt/jdk/bin/java, jvm-options = [\"-Xmx64m\", \"-Dx=1\"],"
                        + " start-timeout = 5 s, task-timeout = 2 s, heartbeat-interval = 20 ms,"
                        + " heartbeat-timeout = 500 ms, mailbox-size = 64 KiB }")).process();
        assertEquals("/opt/jdk/bin/java", p.java());
        assertEquals(java.util.List.of("-Xmx64m", "-Dx=1"), p.jvmOptions());
        assertEquals(Duration.ofSeconds(5), p.startTimeout());
        assertEquals(Duration.ofSeconds(2), p.taskTimeout());
        assertEquals(Duration.ofMillis(20), p.heartbeatInterval());
        assertEquals(Duration.ofMillis(500), p.heartbeatTimeout());
        assertEquals(64 * 1024, p.mailboxSize());
    }

    @Test
    void zeroTaskTimeoutNamesTheKey() {
        assertEquals("strata.worker.process.task-timeout", invalid("strata.worker.process.task-timeout = 0 s").key());
    }

    @Test
    void malformedStartTimeoutNamesTheKey() {
        assertEquals("strata.worker.process.start-timeout",
                invalid("strata.worker.process.start-timeout = soon").key());
    }

    @Test
    void heartbeatTimeoutMustExceedTwoIntervals() {
        InvalidSettingException e = invalid(
                "strata.worker.process { heartbeat-interval = 1 s, heartbeat-timeout = 1500 ms }");
        assertEquals("strata.worker.process.heartbeat-timeout", e.key());
        assertTrue(e.getMessage().contains("heartbeat-interval"), e.getMessage());
    }

    @Test
    void tinyOrHugeMailboxIsRejected() {
        assertEquals("strata.worker.process.mailbox-size", invalid("strata.worker.process.mailbox-size = 1 KiB").key());
        assertEquals("strata.worker.process.mailbox-size", invalid("strata.worker.process.mailbox-size = 4 GiB").key());
    }

    @Test
    void jvmOptionsMustBeAList() {
        assertEquals("strata.worker.process.jvm-options",
                invalid("strata.worker.process.jvm-options = \"-Xmx1g\"").key());
        assertEquals("strata.worker.process.jvm-options",
                invalid("strata.worker.process.jvm-options = [\" \"]").key());
    }

    @Test
    void withersKeepTheProcessSettings() {
        ProcessSettings p = ProcessSettings.defaults().withTaskTimeout(Duration.ofSeconds(1))
                .withHeartbeat(Duration.ofMillis(10), Duration.ofMillis(100)).withMailboxSize(16 * 1024)
                .withJvmOptions(java.util.List.of("-Xmx32m")).withStartTimeout(Duration.ofSeconds(9)).withJava("");
        WorkerSettings s = WorkerSettings.defaults().withProcess(p).withChipWorkers(2).withMode(ChipMode.PROCESS);
        assertEquals(p, s.process());
        assertEquals(Duration.ofSeconds(1), s.process().taskTimeout());
        assertEquals(16 * 1024, s.process().mailboxSize());
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

    @Test
    void traceIsOffByDefaultAndReadFromStrataTrace() {
        assertEquals(new TraceSettings(false, "strata-trace.json"), WorkerSettings.defaults().trace());
        WorkerSettings s = WorkerSettings.fromConfig(com.typesafe.config.ConfigFactory.parseString(
                "strata.trace { enabled = true, file = \"/tmp/t.json\" }"));
        assertEquals(TraceSettings.to("/tmp/t.json"), s.trace());
        assertEquals(TraceSettings.to(""), WorkerSettings.defaults().withTrace(TraceSettings.to("")).trace());
    }

    @Test
    void invalidTraceSettingNamesTheKey() {
        InvalidSettingException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidSettingException.class,
                () -> WorkerSettings.fromConfig(com.typesafe.config.ConfigFactory.parseString(
                        "strata.trace.enabled = sometimes")));
        assertEquals("strata.trace.enabled", e.key());
    }

    @Test
    void tagCheckIsOffByDefaultAndReadFromStrataCheckTags() {
        org.junit.jupiter.api.Assertions.assertFalse(WorkerSettings.defaults().checkTags());
        assertTrue(WorkerSettings.fromConfig(com.typesafe.config.ConfigFactory.parseString("strata.check.tags = on"))
                .checkTags());
        assertTrue(WorkerSettings.defaults().withCheckTags(true).checkTags());
        org.junit.jupiter.api.Assertions.assertFalse(WorkerSettings.defaults().withCheckTags(true)
                .withCheckTags(false).checkTags());
    }

    @Test
    void invalidTagCheckSettingNamesTheKey() {
        InvalidSettingException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidSettingException.class,
                () -> WorkerSettings.fromConfig(com.typesafe.config.ConfigFactory.parseString(
                        "strata.check.tags = sometimes")));
        assertEquals("strata.check.tags", e.key());
        assertTrue(e.getMessage().contains("on or off"), e.getMessage());
    }
}
