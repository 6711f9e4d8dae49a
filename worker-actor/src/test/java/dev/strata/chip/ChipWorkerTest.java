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
}
