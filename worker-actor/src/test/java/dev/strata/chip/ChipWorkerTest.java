package dev.strata.chip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ChipWorkerTest {
    private static final TaskArgsView NO_ARGS = new TaskArgs().view();

    @Test
    void runsTheKernelOncePerBlock() throws Exception {
        ConcurrentHashMap.KeySetView<Integer, Boolean> blocks = ConcurrentHashMap.newKeySet();
        ChipKernel record = ctx -> blocks.add(ctx.blockIndex());
        ChipWorker chip = new ChipWorker(0, List.of(record), null, 2);
        try {
            chip.run(0, NO_ARGS, new CallConfig(3, 0, false), 0);
        } finally {
            chip.close();
        }
        assertEquals(java.util.Set.of(0, 1, 2), blocks);
    }

    @Test
    void unknownKernelIdIsRejectedNamingIt() {
        ChipWorker chip = new ChipWorker(4, List.of(), null, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> chip.run(7, NO_ARGS, CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains("7") && e.getMessage().contains("chip 4"), e.getMessage());
    }

    @Test
    void closeFromAnotherThreadInterruptsTheBlocksOnTheChipsThreads() throws Exception {
        CountDownLatch othersSleeping = new CountDownLatch(2);
        CountDownLatch othersInterrupted = new CountDownLatch(2);
        CountDownLatch releaseBlockZero = new CountDownLatch(1);
        ChipKernel kernel = ctx -> {
            if (ctx.blockIndex() == 0) {
                releaseBlockZero.await(); // block 0 runs on the caller's thread, which the engine interrupts itself
                return;
            }
            othersSleeping.countDown();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                othersInterrupted.countDown();
                throw e;
            }
        };
        ChipWorker chip = new ChipWorker(0, List.of(kernel), null, 2);
        CompletableFuture<Void> call = CompletableFuture.runAsync(() -> {
            try {
                chip.run(0, NO_ARGS, new CallConfig(3, 0, false), 0);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(othersSleeping.await(10, TimeUnit.SECONDS));

        chip.close();

        assertTrue(othersInterrupted.await(10, TimeUnit.SECONDS), "blocks 1 and 2 saw an interrupt");
        releaseBlockZero.countDown();
        ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(10, TimeUnit.SECONDS));
        assertInstanceOf(InterruptedException.class, e.getCause().getCause(), "the call fails with a block's error");
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> chip.run(0, NO_ARGS, new CallConfig(2, 0, false), 0));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        chip.close(); // idempotent
    }

    /** {@code memory} counting its {@code bytes} calls (the tag checker's only way to read a tensor) in {@code reads}. */
    private static dev.strata.protocol.TensorMemory counting(dev.strata.protocol.TensorMemory memory,
                                                             java.util.concurrent.atomic.AtomicInteger reads) {
        return (dev.strata.protocol.TensorMemory) java.lang.reflect.Proxy.newProxyInstance(
                ChipWorkerTest.class.getClassLoader(), new Class<?>[] {dev.strata.protocol.TensorMemory.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("bytes")) {
                        reads.incrementAndGet();
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void withTheTagCheckOnAnInputWrittenByAnyBlockFailsTheCallAndANoDepWriteIsAWarningTakenOnce() throws Exception {
        try (dev.strata.memory.SharedTensorMemory memory = dev.strata.memory.SharedTensorMemory.create(null, 1 << 16,
                1 << 16)) {
            dev.strata.protocol.ContinuousTensor t = memory.allocate(dev.strata.protocol.DataType.FLOAT32, 4);
            ChipKernel lastBlockWrites = ctx -> {
                if (ctx.blockIndex() == 2) {
                    java.nio.FloatBuffer f = ctx.memory().floats(ctx.args().tensor(0));
                    f.put(1, f.get(1) + 1);
                }
            };
            ChipWorker chip = new ChipWorker(0, List.of(lastBlockWrites), List.of("scribble"), memory, 2, true);
            try {
                String m = assertThrows(dev.strata.check.TagViolationException.class, () -> chip.run(0,
                        new TaskArgs().addTensor(t, dev.strata.protocol.TensorArgType.INPUT).view(),
                        new CallConfig(3, 0, false), 0)).getMessage();
                assertTrue(m.contains("'scribble'") && m.contains("INPUT"), m);

                chip.run(0, new TaskArgs().addTensor(t, dev.strata.protocol.TensorArgType.NO_DEP).view(),
                        new CallConfig(3, 0, false), 0);
                String warning = chip.takeWarning();
                assertTrue(warning != null && warning.contains("NO_DEP") && warning.contains("'scribble'"), warning);
                assertEquals(null, chip.takeWarning(), "taken once");
            } finally {
                chip.close();
            }
        }
    }

    @Test
    void withTheTagCheckOffNothingIsReadOrChecked() throws Exception {
        try (dev.strata.memory.SharedTensorMemory memory = dev.strata.memory.SharedTensorMemory.create(null, 1 << 16,
                1 << 16)) {
            dev.strata.protocol.ContinuousTensor t = memory.allocate(dev.strata.protocol.DataType.FLOAT32, 4);
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            ChipKernel writes = ctx -> ctx.memory().floats(ctx.args().tensor(0)).put(1, 5f);
            ChipWorker off = new ChipWorker(0, List.of(writes), List.of("w"), counting(memory, reads), 1, false);
            off.run(0, new TaskArgs().addTensor(t, dev.strata.protocol.TensorArgType.INPUT).view(),
                    CallConfig.DEFAULT, 0);
            assertEquals(0, reads.get(), "no checksum with the check off");
            assertEquals(null, off.takeWarning());

            ChipWorker on = new ChipWorker(0, List.of(ctx -> { }), List.of("w"), counting(memory, reads), 1, true);
            on.run(0, new TaskArgs().addTensor(t, dev.strata.protocol.TensorArgType.INPUT).view(),
                    CallConfig.DEFAULT, 0);
            assertEquals(2, reads.get(), "with it on: before and after");
        }
    }
}
