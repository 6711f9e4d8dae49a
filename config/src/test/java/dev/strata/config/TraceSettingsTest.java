package dev.strata.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraceSettingsTest {

    @Test
    void firstRunWritesTheConfiguredFile() {
        assertEquals(Optional.of(Path.of("out/t.json")), TraceSettings.to("out/t.json").runFile(1));
    }

    @Test
    void laterRunsNumberTheFileBeforeItsExtension() {
        assertEquals(Optional.of(Path.of("out/t-2.json")), TraceSettings.to("out/t.json").runFile(2));
        assertEquals(Optional.of(Path.of("out/t.v1-12.json")), TraceSettings.to("out/t.v1.json").runFile(12));
    }

    @Test
    void aFileWithoutExtensionGetsTheNumberAtItsEnd() {
        assertEquals(Optional.of(Path.of("trace-3")), TraceSettings.to("trace").runFile(3));
        assertEquals(Optional.of(Path.of("dir/.trace-3")), TraceSettings.to("dir/.trace").runFile(3),
                "a leading dot is not an extension");
    }

    @Test
    void anEmptyFileMeansNoFile() {
        assertEquals(Optional.empty(), TraceSettings.to("").runFile(1));
        assertEquals(Optional.empty(), new TraceSettings(false, "").runFile(4));
    }

    @Test
    void runsAreNumberedFromOne() {
        assertThrows(IllegalArgumentException.class, () -> TraceSettings.to("t.json").runFile(0));
    }
}
