package dev.strata.process;

import dev.strata.config.InvalidSettingException;
import dev.strata.config.ProcessSettings;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Tells a chip's child that could not start because of how it was launched — {@code strata.worker.process.java}
 * or {@code strata.worker.process.jvm-options} — from one that failed at run time, and says so as an
 * {@link InvalidSettingException} naming the key, with the child's output tail on the same line.
 *
 * <p>The rule (docs/process-mode.md, "A child that does not come up"), applied only to a chip's first start
 * (settings under which a child was once ready are not wrong):
 * <ul>
 *   <li>a {@code java} that is set but cannot be executed at all is wrong;</li>
 *   <li>a child that exited by itself (not by a signal) before its ready handshake, without Strata's code
 *       in it having run (it never connected its doorbell nor reported that it cannot start), was no working
 *       JVM: if its output shows the JVM did not start and {@code jvm-options} are set, they are wrong;
 *       otherwise a {@code java} that is set is wrong.</li>
 * </ul>
 * Anything else — a start timeout, a child killed by a signal, Strata's child code failing, this JVM's own
 * launcher failing without options — is not judged here and stays a START_FAILED {@link ChipProcessException}.
 */
final class BadLaunchSetting {
    static final String JAVA_KEY = ProcessSettings.PATH + ".java";
    static final String JVM_OPTIONS_KEY = ProcessSettings.PATH + ".jvm-options";

    /** What HotSpot's launcher prints when the JVM itself does not come up (bad option, heap too small, ...). */
    private static final List<String> JVM_DID_NOT_START = List.of(
            "Error: Could not create the Java Virtual Machine", "Error occurred during initialization of VM");
    /** The tail is for a one-line message: the JVM's own complaints are short, a command echoed back is not. */
    private static final int MAX_TAIL_CHARS = 300;

    private BadLaunchSetting() {
    }

    /**
     * The verdict on a launcher that could not be executed ({@code e} from {@code ProcessBuilder.start}):
     * {@code java}, when it is set; empty for this JVM's own launcher.
     */
    static Optional<InvalidSettingException> launcherNotRunnable(ProcessSettings s, IOException e) {
        if (s.java().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new InvalidSettingException(JAVA_KEY, s.java(), "cannot be executed: " + e.getMessage(),
                e));
    }

    /**
     * The verdict on a child that ended before its ready handshake.
     *
     * @param exitCode  its exit code (above 128: killed by a signal; negative: unknown)
     * @param connected whether it connected its doorbell: {@link ChipProcessMain} got going in it (as it
     *                  did when its output reports {@link ChipProcessMain#CANNOT_START})
     * @param output    the tail of what it wrote to stdout and stderr
     */
    static Optional<InvalidSettingException> exitedBeforeReady(ProcessSettings s, int chipIndex, int exitCode,
                                                               boolean connected, String output) {
        if (connected || output.contains(ChipProcessMain.CANNOT_START) || exitCode < 0 || exitCode > 128) {
            return Optional.empty();
        }
        String how = "chip " + chipIndex + "'s process exited with " + ChipChild.describeExit(exitCode)
                + " before it was ready" + outputOnOneLine(output);
        boolean jvmDidNotStart = JVM_DID_NOT_START.stream().anyMatch(output::contains);
        if (jvmDidNotStart && !s.jvmOptions().isEmpty()) {
            return Optional.of(new InvalidSettingException(JVM_OPTIONS_KEY, s.jvmOptions(),
                    "the child JVM does not start with these options: " + how));
        }
        if (!s.java().isEmpty()) {
            return Optional.of(new InvalidSettingException(JAVA_KEY, s.java(),
                    "not a Java launcher that runs Strata's child (Java 17 or later): " + how));
        }
        return Optional.empty();
    }

    /** "; its output ends with: line / line / line" (the last non-blank lines), or "; it wrote no output". */
    static String outputOnOneLine(String output) {
        String lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining(" / "));
        if (lines.isEmpty()) {
            return "; it wrote no output";
        }
        return "; its output ends with: " + (lines.length() > MAX_TAIL_CHARS
                ? "..." + lines.substring(lines.length() - MAX_TAIL_CHARS) : lines);
    }
}
