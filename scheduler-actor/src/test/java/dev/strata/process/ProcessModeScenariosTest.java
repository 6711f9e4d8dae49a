package dev.strata.process;

import static dev.strata.protocol.TensorArgType.INOUT;
import static dev.strata.protocol.TensorArgType.INPUT;
import static dev.strata.protocol.TensorArgType.NO_DEP;
import static dev.strata.protocol.TensorArgType.OUTPUT;
import static dev.strata.protocol.TensorArgType.OUTPUT_EXISTING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorMemory;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import dev.strata.scheduler.WorkerMode;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The same scenarios on THREAD and PROCESS chip workers: kernels that compute on shared memory, chains that
 * cross chips, auto-allocated outputs written by one chip and read by the next task, groups, failures. In
 * PROCESS mode every kernel runs in one of two child JVMs and must give exactly the THREAD-mode results.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessModeScenariosTest {
    private final Map<WorkerMode, Worker> workers = new EnumMap<>(WorkerMode.class);
    private final Map<WorkerMode, Path> dirs = new EnumMap<>(WorkerMode.class);
    private long noop;
    private long add;
    private long fill;
    private long scale;
    private long sum;
    private long whoami;
    private long chainStep;
    private long groupStep;
    private long merge;
    private long fails;

    /** A 2-chip worker of {@code mode} whose memory (and, in PROCESS mode, mailboxes) live in {@code dir}. */
    static Worker worker(WorkerMode mode, Path dir, String extra) {
        return Worker.fromConfig(ConfigFactory.parseString("strata.worker { mode = " + mode
                + ", chip-workers = 2, heap-ring-size = 1 MiB, arena-size = 1 MiB, memory-dir = \"" + dir + "\" }\n"
                + extra));
    }

    static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toList());
        }
    }

    @BeforeAll
    void start() throws IOException {
        for (WorkerMode mode : WorkerMode.values()) {
            Path dir = Files.createTempDirectory("strata-process-scenarios-");
            Worker w = worker(mode, dir, "");
            noop = w.registerChipCallable("noop", new TestKernels.Noop());
            add = w.registerChipCallable("add", new TestKernels.AddScalar());
            fill = w.registerChipCallable("fill", new Kernels.Fill());
            scale = w.registerChipCallable("scale", new Kernels.Scale());
            sum = w.registerChipCallable("sum", new Kernels.Sum());
            whoami = w.registerChipCallable("whoami", new TestKernels.WhoAmI());
            chainStep = w.registerChipCallable("chain-step", new Kernels.ChainStep());
            groupStep = w.registerChipCallable("group-step", new Kernels.GroupStep());
            merge = w.registerChipCallable("merge", new Kernels.Merge());
            fails = w.registerChipCallable("fails", new TestKernels.Throws());
            workers.put(mode, w);
            dirs.put(mode, dir);
        }
        // Both engines start together, so the two child JVMs come up while the THREAD engine starts.
        workers.values().forEach(Worker::init);
    }

    @AfterAll
    void stop() throws IOException {
        workers.values().forEach(Worker::close);
        assertEquals(List.of(), ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid).collect(Collectors.toList()), "child JVMs left after close");
        for (Path dir : dirs.values()) {
            assertEquals(List.of(), filesIn(dir), "files left after close");
            Files.delete(dir);
        }
    }

    @ParameterizedTest
    @EnumSource(WorkerMode.class)
    void kernelsComputeOnSharedMemory(WorkerMode mode) {
        Worker w = workers.get(mode);
        TensorMemory m = w.memory();
        ContinuousTensor t = m.allocate(DataType.FLOAT32, 1000);
        w.run(Task.of((orch, args, cfg) -> {
            orch.submitNextLevel(add, new TaskArgs().addTensor(t, INOUT).addScalar(1), new CallConfig(4, 3, false));
            orch.submitNextLevel(add, new TaskArgs().addTensor(t, INOUT).addScalar(2), CallConfig.DEFAULT);
        }));
        for (float v : m.readFloats(t)) {
            assertEquals(3f, v);
        }
        m.free(t);
    }

    @ParameterizedTest
    @EnumSource(WorkerMode.class)
    void chainSeesEveryPredecessorsWrite(WorkerMode mode) {
        Worker w = workers.get(mode);
        TensorMemory m = w.memory();
        int steps = 40;
        ContinuousTensor acc = m.allocate(DataType.FLOAT32, 1);
        ContinuousTensor pids = m.allocate(DataType.INT64, steps);
        w.run(Task.of((orch, args, cfg) -> {
            for (int i = 0; i < steps; i++) {
                orch.submitNextLevel(chainStep, new TaskArgs().addTensor(acc, INOUT).addTensor(pids, NO_DEP)
                        .addScalar(i), CallConfig.DEFAULT);
            }
        }));
        assertEquals((float) steps, m.readFloats(acc)[0]);
        LongBuffer l = m.longs(pids);
        for (int i = 0; i < steps; i++) {
            assertEquals(mode == WorkerMode.PROCESS, l.get(i) != ProcessHandle.current().pid(),
                    "step " + i + " ran in pid " + l.get(i));
        }
        m.free(acc);
        m.free(pids);
    }

    /**
     * A chain that must cross chips: each round is a group of two (members on distinct chips) followed by a
     * merge that reads both members' writes; the next round's group reads the merge's output. Any hop that
     * ran early or saw a stale value changes the final sum.
     */
    @ParameterizedTest
    @EnumSource(WorkerMode.class)
    void chainAcrossChipsSeesEveryPredecessorsWrite(WorkerMode mode) {
        Worker w = workers.get(mode);
        TensorMemory m = w.memory();
        int rounds = 20;
        ContinuousTensor x0 = m.allocate(DataType.FLOAT32, 1);
        ContinuousTensor x1 = m.allocate(DataType.FLOAT32, 1);
        ContinuousTensor acc = m.allocate(DataType.FLOAT32, 1);
        ContinuousTensor pids = m.allocate(DataType.INT64, 2 * rounds);
        w.run(Task.of((orch, args, cfg) -> {
            for (int r = 0; r < rounds; r++) {
                orch.submitNextLevelGroup(groupStep, List.of(
                        new TaskArgs().addTensor(x0, INOUT).addTensor(acc, INPUT).addTensor(pids, NO_DEP)
                                .addScalar(2 * r),
                        new TaskArgs().addTensor(x1, INOUT).addTensor(acc, INPUT).addTensor(pids, NO_DEP)
                                .addScalar(2 * r + 1)), CallConfig.DEFAULT);
                orch.submitNextLevel(merge, new TaskArgs().addTensor(acc, INOUT).addTensor(x0, INPUT)
                        .addTensor(x1, INPUT), CallConfig.DEFAULT);
            }
        }));
        assertEquals((float) rounds * (rounds + 1), m.readFloats(acc)[0], "sum over r of 2r");
        Set<Long> ran = new HashSet<>();
        LongBuffer l = m.longs(pids);
        for (int i = 0; i < 2 * rounds; i++) {
            ran.add(l.get(i));
        }
        if (mode == WorkerMode.PROCESS) {
            assertEquals(2, ran.size(), "the group members ran in both child JVMs: " + ran);
            assertTrue(!ran.contains(ProcessHandle.current().pid()), "no kernel ran in the parent");
        } else {
            assertEquals(Set.of(ProcessHandle.current().pid()), ran);
        }
        List.of(x0, x1, acc, pids).forEach(m::free);
    }

    @ParameterizedTest
    @EnumSource(WorkerMode.class)
    void autoAllocatedOutputWrittenByAChipIsReadByTheNextTask(WorkerMode mode) {
        Worker w = workers.get(mode);
        ContinuousTensor total = w.memory().allocate(DataType.FLOAT32, 1);
        w.run(Task.of((orch, args, cfg) -> {
            TaskArgs filled = new TaskArgs().addTensor(ContinuousTensor.of(0, DataType.FLOAT32, 256), OUTPUT)
                    .addScalar(7);
            orch.submitNextLevel(fill, filled, CallConfig.DEFAULT);
            ContinuousTensor a = filled.tensor(0);
            assertNotEquals(0, a.data(), "OUTPUT with data 0 is allocated from the heap ring at submit");
            TaskArgs scaled = new TaskArgs().addTensor(a, INPUT)
                    .addTensor(ContinuousTensor.of(0, DataType.FLOAT32, 256), OUTPUT).addScalar(3);
            orch.submitNextLevel(scale, scaled, CallConfig.DEFAULT);
            orch.submitNextLevel(sum, new TaskArgs().addTensor(scaled.tensor(1), INPUT)
                    .addTensor(total, OUTPUT_EXISTING), CallConfig.DEFAULT);
        }));
        assertEquals(7f * 3 * 256, w.memory().readFloats(total)[0]);
        w.memory().free(total);
    }

    @ParameterizedTest
    @EnumSource(WorkerMode.class)
    void groupMembersRunOnDistinctChipsWithTheirOwnArgs(WorkerMode mode) {
        Worker w = workers.get(mode);
        TensorMemory m = w.memory();
        ContinuousTensor r0 = m.allocate(DataType.INT64, 3);
        ContinuousTensor r1 = m.allocate(DataType.INT64, 3);
        w.run(Task.of((orch, args, cfg) -> orch.submitNextLevelGroup(whoami, List.of(
                new TaskArgs().addTensor(r0, OUTPUT_EXISTING).addScalar(10),
                new TaskArgs().addTensor(r1, OUTPUT_EXISTING).addScalar(11)), CallConfig.DEFAULT)));
        LongBuffer a = m.longs(r0);
        LongBuffer b = m.longs(r1);
        assertEquals(List.of(0L, 10L), List.of(a.get(1), a.get(2)));
        assertEquals(List.of(1L, 11L), List.of(b.get(1), b.get(2)));
        if (mode == WorkerMode.PROCESS) {
            assertNotEquals(a.get(0), b.get(0), "members run on distinct chips, i.e. distinct children");
            assertNotEquals(ProcessHandle.current().pid(), a.get(0));
        }
        m.free(r0);
        m.free(r1);
    }

    @ParameterizedTest
    @EnumSource(WorkerMode.class)
    void groupInADependencyChain(WorkerMode mode) {
        Worker w = workers.get(mode);
        TensorMemory m = w.memory();
        ContinuousTensor x = m.allocate(DataType.FLOAT32, 64);
        ContinuousTensor y = m.allocate(DataType.FLOAT32, 64);
        ContinuousTensor sx = m.allocate(DataType.FLOAT32, 1);
        ContinuousTensor sy = m.allocate(DataType.FLOAT32, 1);
        w.run(Task.of((orch, args, cfg) -> {
            orch.submitNextLevel(fill, new TaskArgs().addTensor(x, OUTPUT_EXISTING).addScalar(1), CallConfig.DEFAULT);
            orch.submitNextLevel(fill, new TaskArgs().addTensor(y, OUTPUT_EXISTING).addScalar(2), CallConfig.DEFAULT);
            orch.submitNextLevelGroup(add, List.of(new TaskArgs().addTensor(x, INOUT).addScalar(10),
                    new TaskArgs().addTensor(y, INOUT).addScalar(20)), CallConfig.DEFAULT);
            orch.submitNextLevel(sum, new TaskArgs().addTensor(x, INPUT).addTensor(sx, OUTPUT_EXISTING),
                    CallConfig.DEFAULT);
            orch.submitNextLevel(sum, new TaskArgs().addTensor(y, INPUT).addTensor(sy, OUTPUT_EXISTING),
                    CallConfig.DEFAULT);
        }));
        assertEquals(11f * 64, m.readFloats(sx)[0]);
        assertEquals(22f * 64, m.readFloats(sy)[0]);
        List.of(x, y, sx, sy).forEach(m::free);
    }

    @ParameterizedTest
    @EnumSource(WorkerMode.class)
    void manyIndependentTasksAllRun(WorkerMode mode) {
        Worker w = workers.get(mode);
        w.run(Task.of((orch, args, cfg) -> {
            for (int i = 0; i < 2000; i++) {
                orch.submitNextLevel(noop, new TaskArgs().addScalar(i), CallConfig.DEFAULT);
            }
        }));
        assertEquals(2000, w.lastRun().completedTasks());
    }

    @ParameterizedTest
    @EnumSource(WorkerMode.class)
    void throwingKernelFailsTheRunNamingKernelAndMessage(WorkerMode mode) {
        Worker w = workers.get(mode);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> w.run(Task.of(
                (orch, args, cfg) -> orch.submitNextLevel(fails, new TaskArgs().addScalar(9), CallConfig.DEFAULT))));
        assertEquals("fails", e.callableName());
        assertTrue(e.getMessage().contains("kaput 9") && e.getMessage().contains("on chip"), e.getMessage());
        if (mode == WorkerMode.PROCESS) {
            assertTrue(e.getMessage().contains("kernel 'fails'") && e.getMessage().contains("process (pid"),
                    e.getMessage());
        }
        w.run(Task.of((orch, args, cfg) -> orch.submitNextLevel(noop, new TaskArgs(), CallConfig.DEFAULT)));
    }
}
