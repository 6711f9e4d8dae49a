package dev.strata.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.InvalidSettingException;
import dev.strata.config.ProcessSettings;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which launch setting, if any, a child that did not come up names: the rule, on outputs HotSpot really writes. */
class BadLaunchSettingTest {
    private static final ProcessSettings DEFAULTS = ProcessSettings.defaults();
    private static final ProcessSettings OPTIONS = DEFAULTS.withJvmOptions(List.of("-XX:+NoSuchOption"));
    private static final ProcessSettings JAVA = DEFAULTS.withJava("/bin/false");
    private static final String UNRECOGNIZED = """
            Unrecognized VM option 'NoSuchOption'
            Error: Could not create the Java Virtual Machine.
            Error: A fatal exception has occurred. Program will exit.
            """;
    private static final String HEAP_TOO_SMALL = """
            Error occurred during initialization of VM
            Too small maximum heap
            """;

    private static InvalidSettingException named(Optional<InvalidSettingException> verdict, String key) {
        assertTrue(verdict.isPresent(), "expected a bad " + key);
        assertEquals(key, verdict.get().key());
        assertFalse(verdict.get().getMessage().contains("\n"), "one line: " + verdict.get().getMessage());
        return verdict.get();
    }

    @Test
    void optionTheJvmDoesNotRecognizeNamesJvmOptionsWithTheOutputOnOneLine() {
        InvalidSettingException e = named(BadLaunchSetting.exitedBeforeReady(OPTIONS, 2, 1, false, UNRECOGNIZED),
                BadLaunchSetting.JVM_OPTIONS_KEY);
        assertEquals("invalid setting strata.worker.process.jvm-options = [-XX:+NoSuchOption]: the child JVM does"
                + " not start with these options: chip 2's process exited with exit code 1 before it was ready;"
                + " its output ends with: Unrecognized VM option 'NoSuchOption' / Error: Could not create the Java"
                + " Virtual Machine. / Error: A fatal exception has occurred. Program will exit.", e.getMessage());
    }

    @Test
    void vmThatFailsToInitializeNamesJvmOptions() {
        InvalidSettingException e = named(BadLaunchSetting.exitedBeforeReady(OPTIONS.withJava("/opt/jdk/bin/java"),
                0, 1, false, HEAP_TOO_SMALL), BadLaunchSetting.JVM_OPTIONS_KEY);
        assertTrue(e.getMessage().contains("Too small maximum heap"), e.getMessage());
    }

    @Test
    void jvmThatDoesNotStartWithoutExtraOptionsNamesASetJava() {
        named(BadLaunchSetting.exitedBeforeReady(DEFAULTS.withJava("/opt/jdk/bin/java"), 0, 1, false,
                HEAP_TOO_SMALL), BadLaunchSetting.JAVA_KEY);
    }

    @Test
    void launcherThatExitsSilentlyNamesJava() {
        InvalidSettingException e = named(BadLaunchSetting.exitedBeforeReady(JAVA, 0, 1, false, ""),
                BadLaunchSetting.JAVA_KEY);
        assertTrue(e.getMessage().startsWith("invalid setting strata.worker.process.java = /bin/false: not a Java"
                + " launcher") && e.getMessage().endsWith("exit code 1 before it was ready; it wrote no output"),
                e.getMessage());
    }

    @Test
    void launcherThatIsNotAJvmNamesJavaEvenWithOptionsSet() {
        // /bin/echo prints its arguments and exits 0: no JVM complaint, so the options are not to blame.
        named(BadLaunchSetting.exitedBeforeReady(OPTIONS.withJava("/bin/echo"), 0, 0, false,
                "-XX:+NoSuchOption dev.strata.process.ChipProcessMain --parent-pid=1"), BadLaunchSetting.JAVA_KEY);
    }

    @Test
    void javaTooOldToLoadTheChildNamesJava() {
        named(BadLaunchSetting.exitedBeforeReady(DEFAULTS.withJava("/opt/jdk11/bin/java"), 0, 1, false,
                "Error: LinkageError occurred while loading main class dev.strata.process.ChipProcessMain\n"
                        + "\tjava.lang.UnsupportedClassVersionError: ..."), BadLaunchSetting.JAVA_KEY);
    }

    @Test
    void childWhoseStrataCodeRanIsNeverASettingsFault() {
        assertEquals(Optional.empty(), BadLaunchSetting.exitedBeforeReady(JAVA, 0, 1, true, ""), "connected");
        assertEquals(Optional.empty(), BadLaunchSetting.exitedBeforeReady(OPTIONS, 0, ChipProcessMain.EXIT_START_FAILED,
                false, ChipProcessMain.CANNOT_START + ": java.lang.IllegalStateException: parent process 1 is not"
                        + " running"), "reported that it cannot start");
    }

    @Test
    void childKilledBySignalOrNotEndedIsNeverASettingsFault() {
        assertEquals(Optional.empty(), BadLaunchSetting.exitedBeforeReady(OPTIONS, 0, 137, false, UNRECOGNIZED));
        assertEquals(Optional.empty(), BadLaunchSetting.exitedBeforeReady(JAVA, 0, 134, false, ""));
        assertEquals(Optional.empty(), BadLaunchSetting.exitedBeforeReady(JAVA, 0, -1, false, ""));
    }

    @Test
    void thisJvmsOwnLauncherWithoutOptionsIsNeverASettingsFault() {
        assertEquals(Optional.empty(), BadLaunchSetting.exitedBeforeReady(DEFAULTS, 0, 1, false, HEAP_TOO_SMALL));
        assertEquals(Optional.empty(), BadLaunchSetting.launcherNotRunnable(DEFAULTS,
                new IOException("Cannot run program \"java\": error=11, Resource temporarily unavailable")));
    }

    @Test
    void optionsSetButTheJvmStartedAreNotBlamed() {
        // Exited without a JVM complaint and with this JVM's launcher: no setting explains it.
        assertEquals(Optional.empty(), BadLaunchSetting.exitedBeforeReady(OPTIONS, 0, 1, false, "Killed"));
    }

    @Test
    void setJavaThatCannotBeExecutedIsNamedWithTheReasonAndCause() {
        IOException io = new IOException("Cannot run program \"/nope\": error=2, No such file or directory");
        InvalidSettingException e = named(BadLaunchSetting.launcherNotRunnable(DEFAULTS.withJava("/nope"), io),
                BadLaunchSetting.JAVA_KEY);
        assertEquals("invalid setting strata.worker.process.java = /nope: cannot be executed: Cannot run program"
                + " \"/nope\": error=2, No such file or directory", e.getMessage());
        assertSame(io, e.getCause());
    }

    @Test
    void longOutputKeepsItsEndOnOneLine() {
        String line = BadLaunchSetting.outputOnOneLine("first\n\n" + "x".repeat(2000) + "\n  last  \n");
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("; its output ends with: ...x") && line.endsWith("x / last"), line);
        assertTrue(line.length() < 400, "length " + line.length());
        assertEquals("; it wrote no output", BadLaunchSetting.outputOnOneLine(" \n\n"));
    }
}
