package dev.strata.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PROCESS mode in the command line when a chip's child cannot start because of its launch settings: exit 2
 * with one line naming the key, its value and the child's output tail; no stack trace, no child process
 * and no file left behind.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CliProcessStartTest {
    private static final String JAVA = "strata.worker.process.java";
    private static final String JVM_OPTIONS = "strata.worker.process.jvm-options";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** A small Cholesky on one PROCESS-mode chip whose memory lives in {@code dir/memory}, plus {@code process}. */
    private String runFile(String process) throws IOException {
        Path memory = Files.createDirectories(dir.resolve("memory"));
        return Files.writeString(dir.resolve("run.conf"), """
                strata.worker { mode = PROCESS, chip-workers = 1, arena-size = 8 MiB, heap-ring-size = 4 MiB,
                                memory-dir = "%s" }
                strata.worker.process { %s }
                strata.job { kind = tiled-cholesky, matrix-size = 128, tile-size = 64, block-dim = 1 }
                """.formatted(memory, process)).toString();
    }

    private int run(String process) throws IOException {
        Set<Long> before = livingDescendants();
        String file = runFile(process);
        int code = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(new String[] {"run", file});
        Set<Long> left = livingDescendants();
        left.removeAll(before);
        assertEquals(Set.of(), left, "no child process outlives the failed start");
        try (Stream<Path> files = Files.list(dir.resolve("memory"))) {
            assertEquals(List.of(), files.collect(Collectors.toList()), "no memory, mailbox, log or socket file left");
        }
        return code;
    }

    private static Set<Long> livingDescendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Exactly one "strata: invalid setting <key> = ..." line that contains every fragment; no stack trace. */
    private void assertOneLineNaming(String key, String... fragments) {
        List<String> lines = err().lines().collect(Collectors.toList());
        assertEquals(1, lines.size(), "not one line:\n" + err());
        assertTrue(lines.get(0).startsWith("strata: invalid setting " + key + " = "), err());
        for (String f : fragments) {
            assertTrue(lines.get(0).contains(f), "no '" + f + "' in\n" + err());
        }
        assertFalse(err().contains("\tat "), "stack trace in:\n" + err());
    }

    @ParameterizedTest(name = "jvm-options = {0}")
    @CsvSource(delimiter = '|', value = {
        "-XX:+NoSuchOption | Unrecognized VM option 'NoSuchOption'",
        "-Xmx1k            | Error occurred during initialization of VM",
    })
    void jvmOptionTheChildJvmRejectsExits2NamingTheKeyWithTheChildsOutput(String option, String complaint)
            throws IOException {
        assertEquals(Cli.BAD_CONFIGURATION, run("jvm-options = [\"" + option + "\"]"), err());
        assertOneLineNaming(JVM_OPTIONS, "[" + option + "]", "its output ends with: ", complaint);
    }

    @ParameterizedTest(name = "java = {0}")
    @CsvSource(delimiter = '|', value = {
        "/bin/false | exit code 1 before it was ready; it wrote no output",
        "/bin/echo  | exit code 0 before it was ready; its output ends with: ",
    })
    void launcherThatIsNotJavaExits2NamingTheKey(String java, String how) throws IOException {
        assertEquals(Cli.BAD_CONFIGURATION, run("java = \"" + java + "\""), err());
        assertOneLineNaming(JAVA, "= " + java + ": not a Java launcher", how);
    }

    @Test
    void launcherThatDoesNotExistExits2NamingTheKey() throws IOException {
        String missing = dir.resolve("no-such-java").toString();
        assertEquals(Cli.BAD_CONFIGURATION, run("java = \"" + missing + "\""), err());
        assertOneLineNaming(JAVA, "= " + missing + ": cannot be executed", "No such file or directory");
    }

    @Test
    void directoryAsLauncherExits2NamingTheKey() throws IOException {
        assertEquals(Cli.BAD_CONFIGURATION, run("java = \"" + dir + "\""), err());
        assertOneLineNaming(JAVA, "= " + dir + ": cannot be executed", "Permission denied");
    }
}
