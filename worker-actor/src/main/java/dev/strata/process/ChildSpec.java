package dev.strata.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a chip-process child needs to start, passed as its command-line arguments: who its parent is, which
 * files to map, and the kernel table (callable id → class name and registered name).
 *
 * @param parentPid              pid of the parent JVM; the child exits when it is gone
 * @param chipIndex              which chip this child is
 * @param mailbox                the mailbox file
 * @param log                    the file the child's stdout and stderr go to
 * @param doorbell               the Unix socket to connect the wake-up line to
 * @param memory                 the node's tensor memory file
 * @param arenaSize              bytes of the memory's user arena
 * @param heapSize               bytes of the memory's heap region
 * @param chipThreads            threads for the blocks of one kernel call
 * @param heartbeatIntervalNanos how often the child beats
 * @param kernelClasses          kernel class names, index = callable id
 * @param kernelNames            registered kernel names, index = callable id
 * @param checkTags              the tag checker is on ({@code strata.check.tags}): the child checks each task, its
 *                               mailbox carries the tags after the args blob
 */
record ChildSpec(long parentPid, int chipIndex, Path mailbox, Path log, Path doorbell, Path memory,
                 long arenaSize, long heapSize, int chipThreads, long heartbeatIntervalNanos,
                 List<String> kernelClasses, List<String> kernelNames, boolean checkTags) {

    /** A spec with the tag checker off. */
    ChildSpec(long parentPid, int chipIndex, Path mailbox, Path log, Path doorbell, Path memory, long arenaSize,
              long heapSize, int chipThreads, long heartbeatIntervalNanos, List<String> kernelClasses,
              List<String> kernelNames) {
        this(parentPid, chipIndex, mailbox, log, doorbell, memory, arenaSize, heapSize, chipThreads,
                heartbeatIntervalNanos, kernelClasses, kernelNames, false);
    }

    ChildSpec {
        Objects.requireNonNull(mailbox, "mailbox");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(doorbell, "doorbell");
        Objects.requireNonNull(memory, "memory");
        kernelClasses = List.copyOf(kernelClasses);
        kernelNames = List.copyOf(kernelNames);
        if (kernelClasses.size() != kernelNames.size()) {
            throw new IllegalArgumentException(kernelClasses.size() + " kernel classes but " + kernelNames.size()
                    + " names");
        }
        if (chipThreads < 1 || heartbeatIntervalNanos <= 0) {
            throw new IllegalArgumentException("chipThreads " + chipThreads + " and heartbeat interval "
                    + heartbeatIntervalNanos + " ns must be positive");
        }
    }

    /** The arguments that {@link #parse} turns back into this spec. */
    List<String> toArgs() {
        List<String> a = new ArrayList<>();
        a.add("--parent-pid=" + parentPid);
        a.add("--chip=" + chipIndex);
        a.add("--mailbox=" + mailbox);
        a.add("--log=" + log);
        a.add("--doorbell=" + doorbell);
        a.add("--memory=" + memory);
        a.add("--arena-size=" + arenaSize);
        a.add("--heap-size=" + heapSize);
        a.add("--chip-threads=" + chipThreads);
        a.add("--heartbeat-interval-nanos=" + heartbeatIntervalNanos);
        if (checkTags) {
            a.add("--check-tags=on");
        }
        for (int id = 0; id < kernelClasses.size(); id++) {
            // Class names never contain ':', so the name (anything) can follow the second colon.
            a.add("--kernel=" + id + ":" + kernelClasses.get(id) + ":" + kernelNames.get(id));
        }
        return a;
    }

    /**
     * Reads the arguments of {@link #toArgs}.
     *
     * @throws IllegalArgumentException naming the argument that is missing, unknown or malformed
     */
    static ChildSpec parse(String[] args) {
        Long parentPid = null;
        Integer chip = null;
        Integer chipThreads = null;
        Long arena = null;
        Long heap = null;
        Long heartbeat = null;
        Path mailbox = null;
        Path log = null;
        Path doorbell = null;
        Path memory = null;
        boolean checkTags = false;
        List<String> classes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("malformed argument '" + arg + "', expected --key=value");
            }
            String key = arg.substring(2, eq);
            String value = arg.substring(eq + 1);
            switch (key) {
                case "parent-pid" -> parentPid = number(key, value);
                case "chip" -> chip = (int) number(key, value);
                case "mailbox" -> mailbox = Path.of(value);
                case "log" -> log = Path.of(value);
                case "doorbell" -> doorbell = Path.of(value);
                case "memory" -> memory = Path.of(value);
                case "arena-size" -> arena = number(key, value);
                case "heap-size" -> heap = number(key, value);
                case "chip-threads" -> chipThreads = (int) number(key, value);
                case "heartbeat-interval-nanos" -> heartbeat = number(key, value);
                case "check-tags" -> {
                    if (!value.equals("on")) {
                        throw new IllegalArgumentException("--check-tags takes 'on', got '" + value + "'");
                    }
                    checkTags = true;
                }
                case "kernel" -> {
                    int c1 = value.indexOf(':');
                    int c2 = c1 < 0 ? -1 : value.indexOf(':', c1 + 1);
                    if (c2 < 0) {
                        throw new IllegalArgumentException("malformed --kernel=" + value + ", expected id:class:name");
                    }
                    long id = number(key, value.substring(0, c1));
                    if (id != classes.size()) {
                        throw new IllegalArgumentException("--kernel ids must be 0, 1, ... in order; got " + id
                                + " at position " + classes.size());
                    }
                    classes.add(value.substring(c1 + 1, c2));
                    names.add(value.substring(c2 + 1));
                }
                default -> throw new IllegalArgumentException("unknown argument --" + key);
            }
        }
        return new ChildSpec(required("parent-pid", parentPid), required("chip", chip), required("mailbox", mailbox),
                required("log", log), required("doorbell", doorbell), required("memory", memory),
                required("arena-size", arena), required("heap-size", heap), required("chip-threads", chipThreads),
                required("heartbeat-interval-nanos", heartbeat), classes, names, checkTags);
    }

    private static long number(String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " needs a number, got '" + value + "'", e);
        }
    }

    private static <T> T required(String key, T value) {
        if (value == null) {
            throw new IllegalArgumentException("missing argument --" + key);
        }
        return value;
    }
}
