package dev.strata.config;

import static dev.strata.config.ConfigReads.require;
import static dev.strata.config.ConfigReads.requirePositive;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Locale;

/**
 * Typed view of {@code strata.worker}, {@code strata.run}, {@code strata.trace} and {@code strata.check}, read once; every value is validated and an
 * invalid one fails with {@link InvalidSettingException} naming the key.
 *
 * @param level           engine level label (>= 2)
 * @param mode            THREAD or PROCESS chip workers
 * @param chipWorkers     number of chip workers (>= 0)
 * @param subWorkers      number of sub workers (>= 0)
 * @param heapRingSize    bytes of the heap ring (1 KiB .. 2 GiB - 1 KiB)
 * @param arenaSize       bytes of the user arena (1 KiB .. 2 GiB - 1 KiB)
 * @param allocTimeout    how long a submit waits for heap space or task-window room
 * @param queueDepth      dispatches one worker may hold (>= 1)
 * @param taskWindow      tasks (slots) that may be live at once before a submit waits (1024 .. 2^30)
 * @param chipThreads     threads per chip for kernel blocks (>= 1)
 * @param memoryDir       directory of the shared-memory file, empty for the default
 * @param dispatcher      config path of the dispatcher that runs user code
 * @param runTimeout      upper bound on one run
 * @param process         how PROCESS-mode chip workers start and are watched ({@code strata.worker.process})
 * @param trace           whether every task is traced and where the trace goes ({@code strata.trace})
 * @param checkTags       the tag checker ({@code strata.check.tags}): checksum every INPUT and NO_DEP tensor of a
 *                        task before and after its callable, where the callable runs (docs/checks.md)
 */
public record WorkerSettings(int level, ChipMode mode, int chipWorkers, int subWorkers, long heapRingSize,
                             long arenaSize, Duration allocTimeout, int queueDepth, int taskWindow,
                             int chipThreads, String memoryDir, String dispatcher, Duration runTimeout, ProcessSettings process,
                             TraceSettings trace, boolean checkTags) {

    /** The key of {@link #checkTags()}. */
    public static final String CHECK_TAGS = "strata.check.tags";

    /** Largest region one shared mapping can hold (a Java 17 MappedByteBuffer is int-indexed). */
    public static final long MAX_REGION = Integer.MAX_VALUE - 1023L;
    /** Fewest live tasks a window may hold: below this a run would mostly wait, not run. */
    public static final int MIN_TASK_WINDOW = 1024;
    /** Most live tasks a window may hold: the largest power-of-two array the slot bookkeeping can index. */
    public static final int MAX_TASK_WINDOW = 1 << 30;

    public WorkerSettings {
        require(level >= 2, "strata.worker.level", level, "must be >= 2");
        require(mode != null, "strata.worker.mode", mode, "must be THREAD or PROCESS");
        require(chipWorkers >= 0, "strata.worker.chip-workers", chipWorkers, "must be >= 0");
        require(subWorkers >= 0, "strata.worker.sub-workers", subWorkers, "must be >= 0");
        require(heapRingSize >= 1024 && heapRingSize <= MAX_REGION, "strata.worker.heap-ring-size", heapRingSize,
                "must be between 1 KiB and " + MAX_REGION + " bytes");
        require(arenaSize >= 1024 && arenaSize <= MAX_REGION, "strata.worker.arena-size", arenaSize,
                "must be between 1 KiB and " + MAX_REGION + " bytes");
        requirePositive(allocTimeout, "strata.worker.alloc-timeout");
        require(queueDepth >= 1 && queueDepth <= 1024, "strata.worker.queue-depth", queueDepth, "must be 1..1024");
        require(taskWindow >= MIN_TASK_WINDOW && taskWindow <= MAX_TASK_WINDOW, "strata.worker.task-window", taskWindow,
                "must be between " + MIN_TASK_WINDOW + " and " + MAX_TASK_WINDOW + " tasks");
        require(chipThreads >= 1 && chipThreads <= 256, "strata.worker.chip-threads", chipThreads, "must be 1..256");
        require(memoryDir != null, "strata.worker.memory-dir", memoryDir, "must not be null");
        require(memoryDir.isEmpty() || isWritableDirectory(memoryDir), "strata.worker.memory-dir", memoryDir,
                "must be an existing, writable directory (or empty for /dev/shm)");
        require(dispatcher != null && !dispatcher.isBlank(), "strata.worker.dispatcher", dispatcher,
                "must name a dispatcher");
        requirePositive(runTimeout, "strata.run.timeout");
        require(process != null, ProcessSettings.PATH, process, "must not be null");
        require(trace != null, TraceSettings.PATH, trace, "must not be null");
    }

    /** The defaults of {@code reference.conf}. */
    public static WorkerSettings defaults() {
        return fromConfig(ConfigFactory.load());
    }

    /**
     * Reads {@code strata.worker} and {@code strata.run} from {@code config}, falling back to the defaults of
     * {@code reference.conf} for missing keys.
     */
    public static WorkerSettings fromConfig(Config config) {
        Config c = config.withFallback(ConfigFactory.defaultReference()).resolve();
        // Unknown keys first: a typo is the likeliest cause of any later error. The section the dispatcher key
        // names may be the user's own, so its contents are not checked.
        new KnownKeys(ConfigFactory.defaultReference())
                .check(c, String.valueOf(ConfigReads.valueOf(c, "strata.worker.dispatcher")));
        String dispatcher = ConfigReads.string(c, "strata.worker.dispatcher");
        // Checked here, where the config is at hand: a missing dispatcher would only surface as an actor
        // system that never starts.
        require(c.hasPath(dispatcher)
                        && c.getValue(dispatcher).valueType() == com.typesafe.config.ConfigValueType.OBJECT,
                "strata.worker.dispatcher", dispatcher, "must name a dispatcher section of the configuration");
        return new WorkerSettings(
                ConfigReads.integer(c, "strata.worker.level"),
                getMode(c, "strata.worker.mode"),
                ConfigReads.integer(c, "strata.worker.chip-workers"),
                ConfigReads.integer(c, "strata.worker.sub-workers"),
                ConfigReads.bytes(c, "strata.worker.heap-ring-size", "64 MiB"),
                ConfigReads.bytes(c, "strata.worker.arena-size", "64 MiB"),
                ConfigReads.duration(c, "strata.worker.alloc-timeout", "10 s"),
                ConfigReads.integer(c, "strata.worker.queue-depth"),
                ConfigReads.integer(c, "strata.worker.task-window"),
                ConfigReads.integer(c, "strata.worker.chip-threads"),
                ConfigReads.string(c, "strata.worker.memory-dir"),
                dispatcher,
                ConfigReads.duration(c, "strata.run.timeout", "10 s"),
                ProcessSettings.fromConfig(c),
                TraceSettings.fromConfig(c),
                onOff(c, CHECK_TAGS));
    }

    /** These settings with {@code level} changed (validated like every other value). */
    public WorkerSettings withLevel(int v) {
        return edit(f -> f.level = v);
    }

    public WorkerSettings withMode(ChipMode v) {
        return edit(f -> f.mode = v);
    }

    public WorkerSettings withChipWorkers(int v) {
        return edit(f -> f.chipWorkers = v);
    }

    public WorkerSettings withSubWorkers(int v) {
        return edit(f -> f.subWorkers = v);
    }

    public WorkerSettings withHeapRingSize(long v) {
        return edit(f -> f.heapRingSize = v);
    }

    public WorkerSettings withAllocTimeout(Duration v) {
        return edit(f -> f.allocTimeout = v);
    }

    public WorkerSettings withQueueDepth(int v) {
        return edit(f -> f.queueDepth = v);
    }

    public WorkerSettings withTaskWindow(int v) {
        return edit(f -> f.taskWindow = v);
    }

    public WorkerSettings withRunTimeout(Duration v) {
        return edit(f -> f.runTimeout = v);
    }

    public WorkerSettings withProcess(ProcessSettings v) {
        return edit(f -> f.process = v);
    }

    public WorkerSettings withTrace(TraceSettings v) {
        return edit(f -> f.trace = v);
    }

    public WorkerSettings withCheckTags(boolean v) {
        return edit(f -> f.checkTags = v);
    }

    /** A copy with one change; the canonical constructor validates the result. */
    private WorkerSettings edit(java.util.function.Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return new WorkerSettings(f.level, f.mode, f.chipWorkers, f.subWorkers, f.heapRingSize, arenaSize,
                f.allocTimeout, f.queueDepth, f.taskWindow, chipThreads, memoryDir, dispatcher, f.runTimeout, f.process, f.trace,
                f.checkTags);
    }

    /** The fields a with-method may change. */
    private static final class Fields {
        int level;
        ChipMode mode;
        int chipWorkers;
        int subWorkers;
        long heapRingSize;
        Duration allocTimeout;
        int queueDepth;
        int taskWindow;
        Duration runTimeout;
        ProcessSettings process;
        TraceSettings trace;
        boolean checkTags;

        Fields(WorkerSettings s) {
            level = s.level;
            mode = s.mode;
            chipWorkers = s.chipWorkers;
            subWorkers = s.subWorkers;
            heapRingSize = s.heapRingSize;
            allocTimeout = s.allocTimeout;
            queueDepth = s.queueDepth;
            taskWindow = s.taskWindow;
            runTimeout = s.runTimeout;
            process = s.process;
            trace = s.trace;
            checkTags = s.checkTags;
        }
    }

    private static boolean isWritableDirectory(String dir) {
        try {
            java.nio.file.Path p = java.nio.file.Path.of(dir);
            return java.nio.file.Files.isDirectory(p) && java.nio.file.Files.isWritable(p);
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    /** A switch such as {@code strata.check.tags}: HOCON's booleans, written {@code on} / {@code off} in the docs. */
    private static boolean onOff(Config c, String key) {
        try {
            return c.getBoolean(key);
        } catch (com.typesafe.config.ConfigException e) {
            throw new InvalidSettingException(key, ConfigReads.valueOf(c, key), "must be on or off", e);
        }
    }

    private static ChipMode getMode(Config c, String key) {
        String s = ConfigReads.string(c, key);
        try {
            return ChipMode.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(key, s, "must be THREAD or PROCESS", e);
        }
    }

}
