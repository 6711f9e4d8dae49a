package dev.strata.process;

import dev.strata.memory.MappedFile;
import dev.strata.config.InvalidSettingException;
import dev.strata.config.ProcessSettings;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.process.ChipProcessException.Reason;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Starts a chip's child JVM: creates the incarnation's files (mailbox, output, doorbell socket) next to the
 * tensor memory, builds the command line ({@link ChipProcessMain} with a {@link ChildSpec}) and starts the
 * process. Waiting for it to come up is {@link ChipChild}'s part.
 */
final class ChildLauncher {
    private static final int MAX_SOCKET_PATH = 100;

    private final int chipIndex;
    private final List<String> kernelClasses;
    private final List<String> kernelNames;
    private final SharedTensorMemory memory;
    private final int chipThreads;
    private final ProcessSettings settings;
    private final Path dir;
    private final boolean checkTags;

    /** A launcher for chip {@code chipIndex}'s children; kernel classes and names indexed by callable id. */
    ChildLauncher(int chipIndex, List<String> kernelClasses, List<String> kernelNames, SharedTensorMemory memory,
                  int chipThreads, ProcessSettings settings) {
        this(chipIndex, kernelClasses, kernelNames, memory, chipThreads, settings, false);
    }

    /** As above, with the tag checker {@code checkTags} on or off in the children. */
    ChildLauncher(int chipIndex, List<String> kernelClasses, List<String> kernelNames, SharedTensorMemory memory,
                  int chipThreads, ProcessSettings settings, boolean checkTags) {
        this.checkTags = checkTags;
        this.chipIndex = chipIndex;
        this.kernelClasses = List.copyOf(kernelClasses);
        this.kernelNames = List.copyOf(kernelNames);
        this.memory = memory;
        this.chipThreads = chipThreads;
        this.settings = settings;
        this.dir = memory.file().toAbsolutePath().getParent();
    }

    /**
     * Starts a fresh child with files of its own; it is not ready yet.
     *
     * @param firstStart whether no child of this chip was ready before: only then is a launcher that cannot
     *                   be executed the fault of {@code java} ({@link BadLaunchSetting})
     * @throws InvalidSettingException naming {@code java} (its files removed) if that launcher cannot be
     *                                 executed, and {@code firstStart}
     * @throws ChipProcessException    START_FAILED (its files removed) if the process cannot be started otherwise
     */
    ChipChild launch(boolean firstStart) {
        String base = "strata-" + ProcessHandle.current().pid() + "-chip" + chipIndex + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong());
        Path output = dir.resolve(base + ".log");
        Mailbox mailbox = Mailbox.create(dir.resolve(base + ".mbox"), settings.mailboxSize());
        Doorbell.Listener listener = null;
        List<String> command = null;
        boolean executing = false;
        try {
            listener = Doorbell.listen(socketPath(base));
            command = command(spec(mailbox.file(), output, listener.path()));
            ProcessBuilder builder = new ProcessBuilder(command);
            // The class path goes through CLASSPATH: as one argument it could pass Linux's 128 KiB limit.
            builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
            executing = true;
            Process p = builder
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(output.toFile()))
                    .start();
            p.getOutputStream().close(); // the child reads nothing from stdin
            return new ChipChild(chipIndex, p, mailbox, output, listener, settings);
        } catch (IOException | RuntimeException e) {
            if (listener != null) {
                listener.close();
            }
            mailbox.close();
            MappedFile.deleteQuietly(output);
            if (firstStart && executing && e instanceof IOException notRunnable) {
                BadLaunchSetting.launcherNotRunnable(settings, notRunnable).ifPresent(bad -> {
                    throw bad;
                });
            }
            throw new ChipProcessException(Reason.START_FAILED, chipIndex, -1, "cannot start chip " + chipIndex
                    + "'s process" + (command == null ? "" : " with " + command.get(0)) + ": " + e);
        }
    }

    /** What the child is told: this JVM, its files, the memory's layout and the kernel table. */
    ChildSpec spec(Path mailbox, Path output, Path doorbell) {
        return new ChildSpec(ProcessHandle.current().pid(), chipIndex, mailbox, output, doorbell,
                memory.file().toAbsolutePath(), memory.arenaSize(), memory.heapSize(), chipThreads,
                settings.heartbeatInterval().toNanos(), kernelClasses, kernelNames, checkTags);
    }

    /** The child's command line, class path excepted (it goes through the environment). */
    List<String> command(ChildSpec spec) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand());
        // 2 cores: the common pool would otherwise have parallelism 1 in the child too.
        cmd.add("-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
        cmd.addAll(settings.jvmOptions());
        cmd.add(ChipProcessMain.class.getName());
        cmd.addAll(spec.toArgs());
        return cmd;
    }

    /** {@code strata.worker.process.java}, else the launcher of this JVM. */
    String javaCommand() {
        if (!settings.java().isEmpty()) {
            return settings.java();
        }
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The doorbell socket: next to the mailbox unless that path is too long for a Unix socket. */
    Path socketPath(String base) {
        Path p = dir.resolve(base + ".sock");
        if (p.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return p;
        }
        return Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath()
                .resolve("strata-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".sock");
    }
}
