package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RemoteChipTest {
    private final SharedTensorMemory head = SharedTensorMemory.create(null, 1 << 20, SharedTensorMemory.MIN_REGION);
    private final SharedTensorMemory node = SharedTensorMemory.create(null, 1 << 20, SharedTensorMemory.MIN_REGION);
    private final NodeChip nodeChip = new NodeChip(0, NodeChipTest.NODE, node, 1, new AtomicLong());
    private final List<ChipEntity.Run> sent = new ArrayList<>();
    private final NodeTaskCounts counts = new NodeTaskCounts();
    private final List<String> names = List.of("add", "throws");
    private final List<String> classes = List.of(ShippingKernels.AddScalar.class.getName(),
            ShippingKernels.Throws.class.getName());

    @AfterEach
    void close() {
        nodeChip.close();
        head.close();
        node.close();
    }

    /** A chip whose entity is {@link #nodeChip}, answering at once. */
    private RemoteChip chip() {
        return new RemoteChip(0, names, classes, head, Duration.ofSeconds(5), (message, timeout) -> {
            ChipEntity.Run run = (ChipEntity.Run) message.apply(null);
            sent.add(run);
            return CompletableFuture.completedFuture(nodeChip.run(run));
        }, counts);
    }

    @Test
    void shipsTheTensorsAndWritesTheChangedBytesBackBeforeItReturns() throws Exception {
        ContinuousTensor in = head.allocate(DataType.FLOAT32, 4);
        ContinuousTensor out = head.allocate(DataType.FLOAT32, 4);
        head.write(in, new float[] {1, 2, 3, 4});
        chip().run(0, new TaskArgsSnapshot(List.of(in, out), new long[] {5}), CallConfig.DEFAULT, 0);
        assertArrayEquals(new float[] {6, 7, 8, 9}, head.readFloats(out));
        assertArrayEquals(new float[] {1, 2, 3, 4}, head.readFloats(in));
        ChipEntity.Run run = sent.get(0);
        assertEquals("add", run.callableName());
        assertEquals(ShippingKernels.AddScalar.class.getName(), run.kernelClass());
        assertEquals(classes, run.kernelClasses(), "the head's whole table, index = callable id");
        assertEquals(List.of(in, out), run.shipped());
        assertEquals(Map.of(NodeTaskCounts.hostPort(NodeChipTest.NODE), 1L), counts.snapshot(),
                "the answer's node counted");
    }

    @Test
    void aFailureOnTheNodeIsRethrownWithTheOriginalClassAndTheNode() {
        ContinuousTensor t = head.allocate(DataType.FLOAT32, 4);
        TaskError.RemoteTaskException e = assertThrows(TaskError.RemoteTaskException.class, () -> chip()
                .run(1, new TaskArgsSnapshot(List.of(t), new long[0]), CallConfig.DEFAULT, 0));
        assertEquals(IllegalStateException.class.getName(), e.exceptionClass());
        assertTrue(e.getMessage().contains(NodeChipTest.NODE), e.getMessage());
        assertEquals(1L, counts.snapshot().get(NodeTaskCounts.hostPort(NodeChipTest.NODE)),
                "a task that failed on the node ran there");
    }

    @Test
    void aTaskShippingMoreThanTheLimitIsRejectedBeforeAnythingIsSent() {
        ContinuousTensor a = head.allocate(DataType.FLOAT32, RemoteChip.MAX_SHIPPED_BYTES / 8);
        ContinuousTensor b = head.allocate(DataType.FLOAT32, RemoteChip.MAX_SHIPPED_BYTES / 8 + 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chip()
                .run(0, new TaskArgsSnapshot(List.of(a, b), new long[] {1}), CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains((RemoteChip.MAX_SHIPPED_BYTES + 4) + " bytes")
                && e.getMessage().contains("limit of " + RemoteChip.MAX_SHIPPED_BYTES + " bytes")
                && e.getMessage().contains("'add'"), e.getMessage());
        assertTrue(sent.isEmpty());
        assertTrue(counts.snapshot().isEmpty(), "no node ran it");
    }

    @Test
    void noAnswerWithinTheTaskTimeoutFailsNamingTheSetting() {
        RemoteChip silent = new RemoteChip(0, names, classes, head, Duration.ofMillis(50), (message, timeout) ->
                CompletableFuture.failedFuture(new TimeoutException("ask timed out after " + timeout)), counts);
        ContinuousTensor t = head.allocate(DataType.FLOAT32, 4);
        TimeoutException e = assertThrows(TimeoutException.class, () -> silent
                .run(0, new TaskArgsSnapshot(List.of(t, t), new long[] {1}), CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains("strata.cluster.task-timeout") && e.getMessage().contains("'add'"),
                e.getMessage());
    }

    @Test
    void shipsEachAddressOnceTheLargestTensorThereAndNothingForAddressZero() {
        ContinuousTensor small = ContinuousTensor.of(0x100, DataType.FLOAT32, 2);
        ContinuousTensor large = ContinuousTensor.of(0x100, DataType.FLOAT32, 8);
        ContinuousTensor none = ContinuousTensor.of(0, DataType.FLOAT32, 8);
        assertEquals(List.of(large), RemoteChip.shipped(new TaskArgsSnapshot(List.of(small, none, large),
                new long[0])));
    }

    @Test
    void anUnknownCallableIdFailsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chip()
                .run(7, new TaskArgsSnapshot(List.of(), new long[0]), CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
    }
}
