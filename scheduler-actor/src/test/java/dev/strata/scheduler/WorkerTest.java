package dev.strata.scheduler;

import static dev.strata.protocol.TensorArgType.INOUT;
import static dev.strata.protocol.TensorArgType.INPUT;
import static dev.strata.protocol.TensorArgType.OUTPUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.config.InvalidSettingException;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskError;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The user-facing engine end to end: one Worker shared by the scenarios (it is reusable by contract). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class WorkerTest {
    private Worker w;
    private final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
    private int record;
    private int fail;
    private int addOne;
    private int fill;
    private int read;
    private final ConcurrentLinkedQueue<Float> lastRead = new ConcurrentLinkedQueue<>();
    private long scale;
    private long boom;

    /** A chip kernel that multiplies a FLOAT32 tensor (INOUT, arg 0) by scalar 0, block by block. */
    public static final class ScaleKernel implements dev.strata.protocol.ChipKernel {
        @Override
        public void run(dev.strata.protocol.TaskContext ctx) {
            FloatBuffer f = ctx.memory().floats(ctx.args().tensor(0));
            int n = f.limit();
            int blocks = ctx.config().blockDim();
            int from = n * ctx.blockIndex() / blocks;
            int to = n * (ctx.blockIndex() + 1) / blocks;
            for (int i = from; i < to; i++) {
                f.put(i, f.get(i) * ctx.args().scalar(0));
            }
        }
    }

    @BeforeAll
    void start() {
        // The alloc timeout bounds only heapExhaustionFailsTheRunNamingTheSetting's wait; shorter ones failed
        // nestedScopesReleaseHeapSoALongLoopFitsASmallRing on a loaded machine, whose releases then came late.
        w = Worker.builder().numSubWorkers(3).numChipWorkers(2).heapRingSize(1 << 20)
                .allocTimeout(Duration.ofSeconds(5)).build();
        record = w.register(ctx -> log.add("slot-arg " + ctx.args().scalar(0) + " g" + ctx.groupIndex()));
        fail = w.register(ctx -> {
            throw new IllegalStateException("kaput " + ctx.args().scalar(0));
        });
        addOne = w.register(ctx -> {
            FloatBuffer f = ctx.memory().floats(ctx.args().tensor(0));
            for (int i = 0; i < f.limit(); i++) {
                f.put(i, f.get(i) + 1);
            }
        });
        fill = w.register(ctx -> {
            FloatBuffer f = ctx.memory().floats(ctx.args().tensor(0));
            for (int i = 0; i < f.limit(); i++) {
                f.put(i, ctx.args().scalar(0));
            }
        });
        read = w.register(ctx -> {
            float[] v = ctx.memory().readFloats(ctx.args().tensor(0));
            lastRead.clear();
            for (float x : v) {
                if (x != v[0]) {
                    throw new IllegalStateException("tensor not uniform: " + java.util.Arrays.toString(v));
                }
            }
            lastRead.add(v[0]);
        });
        scale = w.registerChipCallable("scale", new ScaleKernel());
        boom = w.registerChipCallable("boom", ctx -> {
            throw new ArithmeticException("chip says no");
        });
        w.init();
    }

    @AfterAll
    void stop() {
        w.close();
    }

    @Test
    void chipAndSubTasksComputeOnSharedMemoryInDependencyOrder() {
        ContinuousTensor t = w.memory().allocate(DataType.FLOAT32, 1000);
        w.memory().write(t, new float[1000]);
        w.run(Task.of((orch, args, cfg) -> {
            orch.submitSub(addOne, new TaskArgs().addTensor(t, INOUT));                 // 1
            orch.submitNextLevel(scale, new TaskArgs().addTensor(t, INOUT).addScalar(3),
                    new CallConfig(4, 3, false));                                        // 3
            orch.submitSub(addOne, new TaskArgs().addTensor(t, INOUT));                 // 4
            orch.submitNextLevel(scale, new TaskArgs().addTensor(t, INOUT).addScalar(2),
                    CallConfig.DEFAULT);                                                 // 8
        }));
        float[] out = w.memory().readFloats(t);
        for (float v : out) {
            assertEquals(8f, v);
        }
        w.memory().free(t);
    }

    @Test
    void autoAllocatedOutputIsWrittenByOneTaskAndReadByTheNext() {
        w.run(Task.of((orch, args, cfg) -> {
            TaskArgs producer = new TaskArgs().addTensor(ContinuousTensor.of(0, DataType.FLOAT32, 16), OUTPUT)
                    .addScalar(7);
            orch.submitSub(fill, producer);
            ContinuousTensor heapTensor = producer.tensor(0);
            assertTrue(w.memory().bytes(heapTensor).capacity() == 64, "OUTPUT with data 0 was auto-allocated");
            orch.submitNextLevel(scale, new TaskArgs().addTensor(heapTensor, INOUT).addScalar(5), CallConfig.DEFAULT);
            orch.submitSub(read, new TaskArgs().addTensor(heapTensor, INPUT));
        }));
        assertEquals(List.of(35f), List.copyOf(lastRead), "fill 7, scale by 5 on a chip, read: in that order");
    }

    @Test
    void groupMembersSeeTheirIndexAndOwnArgs() {
        log.clear();
        w.run(Task.of((orch, args, cfg) -> orch.submitSubGroup(record,
                List.of(new TaskArgs().addScalar(10), new TaskArgs().addScalar(11), new TaskArgs().addScalar(12)))));
        assertEquals(3, log.size());
        assertTrue(log.containsAll(List.of("slot-arg 10 g0", "slot-arg 11 g1", "slot-arg 12 g2")), log.toString());
    }

    @Test
    void throwingTaskFailsTheRunSkipsDependentsAndRunsIndependents() {
        ContinuousTensor t = w.memory().allocate(DataType.FLOAT32, 4);
        AtomicInteger failedSlot = new AtomicInteger();
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> w.run(Task.of((orch, args, cfg) -> {
            failedSlot.set(orch.submitSub(fail, new TaskArgs().addTensor(t, OUTPUT).addScalar(7)).taskSlot());
            orch.submitSub(addOne, new TaskArgs().addTensor(t, INOUT));                  // skipped
            orch.submitSub(record, new TaskArgs().addTensor(t, INPUT).addScalar(99));    // skipped
            orch.submitSub(record, new TaskArgs().addScalar(5));                         // independent: runs
        })));
        assertEquals(failedSlot.get(), e.taskSlot());
        assertEquals("sub#" + fail, e.callableName());
        assertTrue(e.getMessage().contains("kaput 7") && e.getMessage().contains("2 dependent task(s) skipped"),
                e.getMessage());
        assertInstanceOf(TaskError.RemoteTaskException.class, e.getCause());
        assertEquals(IllegalStateException.class.getName(),
                ((TaskError.RemoteTaskException) e.getCause()).exceptionClass());
        assertTrue(log.contains("slot-arg 5 g0"));
        assertTrue(!log.contains("slot-arg 99 g0"), "a dependent of the failed task must not run");
        assertArrayEquals(new float[4], w.memory().readFloats(t), "the skipped INOUT never ran");
        w.memory().free(t);
        // The worker stays usable.
        w.run(Task.of((orch, args, cfg) -> orch.submitSub(record, new TaskArgs().addScalar(6))));
        assertTrue(log.contains("slot-arg 6 g0"));
    }

    @Test
    void throwingChipKernelNamesTheKernelAndChip() {
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> w.run(Task.of(
                (orch, args, cfg) -> orch.submitNextLevel(boom, new TaskArgs(), CallConfig.DEFAULT))));
        assertEquals("boom", e.callableName());
        assertTrue(e.getMessage().contains("on chip") && e.getMessage().contains("chip says no"), e.getMessage());
    }

    @Test
    void orchFnThatThrowsDrainsWhatItSubmittedThenRethrows() {
        log.clear();
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> w.run(Task.of((orch, args, cfg) -> {
            orch.submitSub(record, new TaskArgs().addScalar(41));
            throw new java.io.IOException("orch gave up");
        })));
        assertEquals(-1, e.taskSlot());
        assertInstanceOf(java.io.IOException.class, e.getCause());
        assertTrue(log.contains("slot-arg 41 g0"), "the submitted task still ran: " + log);
    }

    @Test
    void unknownCallableFailsAtSubmitWithTheId() {
        TaskFailedException e = assertThrows(TaskFailedException.class,
                () -> w.run(Task.of((orch, args, cfg) -> orch.submitSub(1234))));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("1234"), e.getCause().getMessage());
    }

    @Test
    void submitOutsideRunIsRejected() {
        Orchestrator[] leaked = new Orchestrator[1];
        w.run(Task.of((orch, args, cfg) -> leaked[0] = orch));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> leaked[0].submitSub(record));
        assertTrue(e.getMessage().contains("outside Worker.run"), e.getMessage());
    }

    @Test
    void heapExhaustionFailsTheRunNamingTheSetting() {
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> w.run(Task.of((orch, args, cfg) -> {
            for (int i = 0; i < 10; i++) {
                orch.alloc(DataType.UINT8, 200 * 1024); // 2 MB in one scope on a 1 MiB ring
            }
        })));
        assertInstanceOf(HeapExhaustedException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("strata.worker.heap-ring-size"), e.getCause().getMessage());
        w.run(Task.of((orch, args, cfg) -> orch.alloc(DataType.UINT8, 512 * 1024)));
    }

    @Test
    void nestedScopesReleaseHeapSoALongLoopFitsASmallRing() {
        long tensorBytes = 64 * 1024 * 4; // 256 KiB of a 1 MiB ring, 50 times: 12.5 MiB in all
        w.run(Task.of((orch, args, cfg) -> {
            for (int i = 0; i < 50; i++) {
                orch.scopeBegin();
                ContinuousTensor t = orch.alloc(DataType.FLOAT32, 64 * 1024);
                orch.submitSub(addOne, new TaskArgs().addTensor(t, INOUT));
                orch.scopeEnd();
            }
        }));
        long highWater = w.metrics().getLastRunHeapHighWaterBytes();
        assertTrue(highWater >= tensorBytes, "each tensor came from the ring: high-water " + highWater);
        assertTrue(highWater <= w.metrics().getHeapSizeBytes(),
                "12.5 MiB went through a 1 MiB ring, so each scope's end gave its tensor back: high-water " + highWater);
        assertEquals(0L, w.metrics().getHeapUsedBytes(), "every scope's heap is back after the run");
        assertEquals(50, w.lastRun().completedTasks());
    }

    @Test
    void registerAndInitAfterInitAreRejected() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.register(ctx -> { }));
        assertTrue(e.getMessage().contains("before init"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> w.registerChipCallable("x", ctx -> { }));
        assertThrows(IllegalStateException.class, w::init);
    }

    @Test
    void negativeWorkerCountIsRejectedNamingTheValue() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> Worker.builder().numSubWorkers(-2));
        assertTrue(e.getMessage().contains("-2") && e.getMessage().contains("sub-workers"), e.getMessage());
    }

    @Test
    void closedWorkerRejectsRunsAndCloseIsIdempotent() {
        Worker other = Worker.builder().numSubWorkers(1).heapRingSize(4096).build();
        other.init();
        other.close();
        other.close();
        assertThrows(IllegalStateException.class, () -> other.run(Task.of((orch, a, c) -> { })));
    }

    @Test
    void closeDuringARunFailsTheRunAndRemovesTheMemoryFile() throws Exception {
        java.util.concurrent.CountDownLatch taskStarted = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Worker other = Worker.builder().numSubWorkers(1).heapRingSize(4096).build();
        int wait = other.register(ctx -> {
            taskStarted.countDown();
            release.await(20, java.util.concurrent.TimeUnit.SECONDS);
        });
        other.init();
        java.nio.file.Path file = ((dev.strata.memory.SharedTensorMemory) other.memory()).file();
        java.util.concurrent.CompletableFuture<Throwable> run = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                other.run(Task.of((orch, a, c) -> orch.submitSub(wait)));
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        assertTrue(taskStarted.await(10, java.util.concurrent.TimeUnit.SECONDS));
        java.util.concurrent.CompletableFuture<Void> closing =
                java.util.concurrent.CompletableFuture.runAsync(other::close);
        Throwable failure = run.get(10, java.util.concurrent.TimeUnit.SECONDS);
        release.countDown(); // the run has returned: let the worker's task finish so the actors can stop
        closing.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertInstanceOf(TaskFailedException.class, failure);
        assertTrue(failure.getMessage().contains("closed during a run"), failure.getMessage());
        assertTrue(!java.nio.file.Files.exists(file), "memory file removed: " + file);
    }

    @Test
    void memoryBeforeInitIsRejected() {
        Worker other = Worker.builder().build();
        IllegalStateException e = assertThrows(IllegalStateException.class, other::memory);
        assertTrue(e.getMessage().contains("init()"), e.getMessage());
        other.close();
    }
}
