package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.WorkerSettings;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.process.RoundTripStats;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A chip entity's kernels in a child JVM of its node: one child per chip, the head's table, restarts, cleanup. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ProcessKernelsTest {
    private static final String NODE = NodeChipTest.NODE;
    // A head address, which the node never dereferences: it copies the bytes to its own memory.
    private static final ContinuousTensor T = ContinuousTensor.of(0x10_0000_0040L, DataType.INT64, 1);
    private static final long SELF = ProcessHandle.current().pid();

    private Path dir;
    private SharedTensorMemory memory;
    private ProcessKernels kernels;
    private NodeChip chip;
    private final AtomicLong tasksRun = new AtomicLong();

    /** Writes the pid of the JVM it runs in to INT64 tensor 0. */
    public static final class WhereAmI implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            ctx.memory().longs(ctx.args().tensor(0)).put(0, ProcessHandle.current().pid());
        }
    }

    /** Adds 1 to INT64 tensor 0. */
    public static final class Increment implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            ctx.memory().longs(ctx.args().tensor(0)).put(0, ctx.memory().longs(ctx.args().tensor(0)).get(0) + 1);
        }
    }

    /** Ends the JVM it runs in at once, unless that is the JVM whose pid is scalar 0 (the tests' own). */
    public static final class HaltsItsChild implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
            if (ProcessHandle.current().pid() != ctx.args().scalar(0)) {
                Runtime.getRuntime().halt(9);
            }
        }
    }

    private static final List<String> HEAD = List.of(WhereAmI.class.getName(), Increment.class.getName(),
            HaltsItsChild.class.getName(), "com.example.NotOnTheNode");

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("strata-process-kernels-");
        memory = SharedTensorMemory.create(dir, 64 * 1024, SharedTensorMemory.MIN_REGION);
        kernels = new ProcessKernels(1, NODE, memory, 1, WorkerSettings.defaults().process(), new RoundTripStats());
        chip = new NodeChip(1, NODE, kernels, tasksRun, NodeChipTest.TRANSFER);
    }

    @AfterEach
    void stop() throws IOException {
        chip.close();
        memory.close();
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "the child's files and the memory file are gone");
        }
        Files.delete(dir);
    }

    private static ChipEntity.Run run(String kernelClass, long value, List<String> head) {
        byte[] bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
        ChipEntity.Run run = NodeChipTest.run(kernelClass, new TaskArgsSnapshot(List.of(T), new long[] {SELF}),
                List.of(bytes));
        return new ChipEntity.Run(run.dispatch(), "k", kernelClass, run.args(), run.plan(), run.in(), CallConfig.DEFAULT,
                0, head, null);
    }

    private static long value(ChipEntity.Ran ran) {
        assertNull(ran.error());
        try {
            return ByteBuffer.wrap(NodeChipTest.back(ran)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        } catch (Exception e) {
            throw new AssertionError("the answer's bytes could not be read", e);
        }
    }

    private static Optional<ProcessHandle> child(long pid) {
        return ProcessHandle.current().descendants().filter(p -> p.pid() == pid).findFirst();
    }

    @Test
    void theChildStartsAtTheFirstTaskAndRunsEveryKernelOfTheHead() {
        assertEquals(-1, kernels.pid(), "no child before the first task");
        long pid = value(chip.run(run(WhereAmI.class.getName(), 0, HEAD)));
        assertNotEquals(SELF, pid, "the kernel ran in another JVM");
        assertEquals(pid, kernels.pid());
        assertTrue(child(pid).isPresent(), "a child of this JVM");
        assertEquals(42, value(chip.run(run(Increment.class.getName(), 41, HEAD))));
        assertEquals(pid, kernels.pid(), "the same child runs the head's other kernel");
        assertEquals(2, tasksRun.get());
    }

    @Test
    void aClassMissingOnTheNodeFailsItsTasksNamingClassAndNodeWhileTheOthersRun() {
        ChipEntity.Ran missing = chip.run(run("com.example.NotOnTheNode", 0, HEAD));
        String m = missing.error().message();
        assertTrue(m.contains("com.example.NotOnTheNode") && m.contains(NODE) && m.contains("'k'"), m);
        assertEquals(-1, kernels.pid(), "no child was started for a task that cannot run");
        long pid = value(chip.run(run(WhereAmI.class.getName(), 0, HEAD)));
        assertTrue(chip.run(run("com.example.NotOnTheNode", 0, HEAD)).error().message().contains(NODE));
        assertEquals(pid, kernels.pid(), "the child stays: the other kernels of the head run in it");
    }

    @Test
    void aChildThatDiesMidTaskFailsItNamingChipAndNodeAndTheNextTaskStartsAFreshOne() throws Exception {
        long first = value(chip.run(run(WhereAmI.class.getName(), 0, HEAD)));
        ChipEntity.Ran died = chip.run(run(HaltsItsChild.class.getName(), 0, HEAD));
        String m = died.error().message();
        assertTrue(m.contains("chip 1") && m.contains("worker node " + NODE), m);
        assertTrue(ProcessHandle.of(first).map(p -> p.onExit()).map(f -> {
            try {
                f.get(30, TimeUnit.SECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        }).orElse(true), "the dead child is reaped");
        long second = value(chip.run(run(WhereAmI.class.getName(), 0, HEAD)));
        assertNotEquals(first, second, "a fresh child");
        assertNotEquals(SELF, second);
    }

    @Test
    void aTaskWhoseClassTheChildLacksReplacesTheChildWithTheNewTable() throws Exception {
        long first = value(chip.run(run(WhereAmI.class.getName(), 0, List.of(WhereAmI.class.getName()))));
        ProcessHandle old = child(first).orElseThrow();
        // Another head, another table: Increment is callable 0 there.
        assertEquals(8, value(chip.run(run(Increment.class.getName(), 7, List.of(Increment.class.getName(),
                WhereAmI.class.getName())))));
        old.onExit().get(30, TimeUnit.SECONDS);
        long second = value(chip.run(run(WhereAmI.class.getName(), 0, HEAD)));
        assertNotEquals(first, second);
        assertEquals(second, kernels.pid(), "WhereAmI is in the new table: no restart");
    }

    @Test
    void closeStopsTheChildAndLaterTasksFail() throws Exception {
        long pid = value(chip.run(run(WhereAmI.class.getName(), 0, HEAD)));
        ProcessHandle child = child(pid).orElseThrow();
        chip.close();
        child.onExit().get(30, TimeUnit.SECONDS);
        assertEquals(-1, kernels.pid());
        String m = chip.run(run(WhereAmI.class.getName(), 0, HEAD)).error().message();
        assertTrue(m.contains("stopping") && m.contains(NODE), m);
        assertThrows(IllegalStateException.class, () -> kernels.kernel("k", WhereAmI.class.getName(), HEAD));
    }
}
