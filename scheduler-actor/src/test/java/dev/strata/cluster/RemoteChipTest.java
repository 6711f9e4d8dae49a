package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskError;
import dev.strata.protocol.TensorArgType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RemoteChipTest {
    private static final String NODE_HOST_PORT = NodeTaskCounts.hostPort(NodeChipTest.NODE);
    private final SharedTensorMemory head = SharedTensorMemory.create(null, 8 << 20, SharedTensorMemory.MIN_REGION);
    private final SharedTensorMemory node = SharedTensorMemory.create(null, 8 << 20, SharedTensorMemory.MIN_REGION);
    private final NodeChip nodeChip = new NodeChip(0, NodeChipTest.NODE, node, 1, new AtomicLong(),
            NodeChipTest.TRANSFER);
    private final List<ChipEntity.Run> sent = new ArrayList<>();
    private final NodeTaskCounts counts = new NodeTaskCounts();
    private final List<String> names = List.of("add", "throws", "fill-all");
    private final List<String> classes = List.of(ShippingKernels.AddScalar.class.getName(),
            ShippingKernels.Throws.class.getName(), ShippingKernels.FillAll.class.getName());

    @AfterEach
    void close() {
        nodeChip.close();
        head.close();
        node.close();
    }

    private RemoteChip chip(RemoteChip.Ask ask) {
        return new RemoteChip(0, names, classes, head, Duration.ofSeconds(10), ask, counts, NodeChipTest.TRANSFER);
    }

    /** A chip whose entity is {@link #nodeChip}, answering at once. */
    private RemoteChip chip() {
        return chip((message, timeout) -> {
            ChipEntity.Run run = (ChipEntity.Run) message.apply(null);
            sent.add(run);
            return CompletableFuture.completedFuture(nodeChip.run(run));
        });
    }

    @Test
    void shipsTheTensorsByTagAndWritesTheResultBackBeforeItReturns() throws Exception {
        ContinuousTensor in = head.allocate(DataType.FLOAT32, 4);
        ContinuousTensor out = head.allocate(DataType.FLOAT32, 4);
        head.write(in, new float[] {1, 2, 3, 4});
        head.write(out, new float[] {-1, -1, -1, -1});
        chip().run(0, new TaskArgs().addTensor(in, TensorArgType.INPUT).addTensor(out, TensorArgType.OUTPUT)
                .addScalar(5).view(), CallConfig.DEFAULT, 0);
        assertArrayEquals(new float[] {6, 7, 8, 9}, head.readFloats(out));
        assertArrayEquals(new float[] {1, 2, 3, 4}, head.readFloats(in));
        ChipEntity.Run run = sent.get(0);
        assertEquals("add", run.callableName());
        assertEquals(ShippingKernels.AddScalar.class.getName(), run.kernelClass());
        assertEquals(List.of(in), run.plan().in());
        assertEquals(16, run.in().size(), "the OUTPUT's bytes did not go to the node");
        assertEquals(null, run.args().tags(), "the node is given what a kernel sees");
        assertEquals(Map.of(NODE_HOST_PORT, 1L), counts.snapshot(), "the answer's node counted");
        assertEquals(Map.of(NODE_HOST_PORT, 16L), counts.bytesToNodes());
        assertEquals(Map.of(NODE_HOST_PORT, 16L), counts.bytesFromNodes());
    }

    @Test
    void onlyTensorsTheTaskMayWriteComeBack() throws Exception {
        // The kernel writes all three; the head takes back only the OUTPUT_EXISTING.
        ContinuousTensor input = head.allocate(DataType.FLOAT32, 2);
        ContinuousTensor noDep = head.allocate(DataType.FLOAT32, 2);
        ContinuousTensor existing = head.allocate(DataType.FLOAT32, 2);
        chip().run(2, new TaskArgs().addTensor(input, TensorArgType.INPUT).addTensor(noDep, TensorArgType.NO_DEP)
                .addTensor(existing, TensorArgType.OUTPUT_EXISTING).addScalar(7).view(), CallConfig.DEFAULT, 0);
        assertArrayEquals(new float[2], head.readFloats(input));
        assertArrayEquals(new float[2], head.readFloats(noDep));
        assertArrayEquals(new float[] {7, 7}, head.readFloats(existing));
        assertEquals(Map.of(NODE_HOST_PORT, 24L), counts.bytesToNodes());
        assertEquals(Map.of(NODE_HOST_PORT, 8L), counts.bytesFromNodes());
    }

    @Test
    void aLargeTensorStreamsToTheNodeAndBackAndEachAttemptGetsItsOwnStream() throws Exception {
        int n = 512 * 1024; // 2 MiB, read and written through one address
        ContinuousTensor t = head.allocate(DataType.FLOAT32, n);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        head.write(t, values);
        List<ChipEntity.Command> attempts = new ArrayList<>();
        RemoteChip retrying = chip((message, timeout) -> {
            attempts.add(message.apply(null)); // an attempt lost on the way
            ChipEntity.Run run = (ChipEntity.Run) message.apply(null);
            attempts.add(run);
            return CompletableFuture.completedFuture(nodeChip.run(run));
        });
        retrying.run(0, new TaskArgs().addTensor(t, TensorArgType.INPUT).addTensor(t, TensorArgType.OUTPUT)
                .addScalar(1).view(), CallConfig.DEFAULT, 0);
        ChipEntity.Run first = (ChipEntity.Run) attempts.get(0);
        ChipEntity.Run second = (ChipEntity.Run) attempts.get(1);
        assertTrue(first.in().streamed() && second.in().streamed());
        assertNotSame(first.in().stream(), second.in().stream(), "a stream can be read once");
        NodeChipTest.TRANSFER.discard(first.in());
        float[] result = head.readFloats(t);
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1f, result[i], "element " + i);
        }
        assertEquals(Map.of(NODE_HOST_PORT, 4L * n), counts.bytesToNodes());
        assertEquals(Map.of(NODE_HOST_PORT, 4L * n), counts.bytesFromNodes());
    }

    @Test
    void anAnswerWhoseBytesAreLostLeavesTheHeadsMemoryAsItWasAndNamesTheNode() {
        ContinuousTensor t = head.allocate(DataType.UINT8, 4 * TensorTransfer.CHUNK);
        TaskArgsView args = new TaskArgs().addTensor(t, TensorArgType.INOUT).view();
        RemoteChip lossy = chip((message, timeout) -> {
            ChipEntity.Run run = (ChipEntity.Run) message.apply(null);
            NodeChipTest.TRANSFER.discard(run.in());
            TensorBytes halfThere = new TensorBytes(t.nbytes(), null, Source.single(ByteString.fromArray(
                    new byte[TensorTransfer.CHUNK])).concat(Source.failed(new IllegalStateException("node gone")))
                    .runWith(StreamRefs.sourceRef(), Materializer.matFromSystem(
                            NodeChipTest.TRANSFER_SYSTEM)));
            return CompletableFuture.completedFuture(new ChipEntity.Ran(NodeChipTest.NODE, halfThere, null));
        });
        head.bytes(t).put(0, (byte) 42);
        TensorTransfer.TransferException e = assertThrows(TensorTransfer.TransferException.class,
                () -> lossy.run(0, args, CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains(NodeChipTest.NODE) && e.getMessage().contains("'add'"), e.getMessage());
        assertEquals(42, head.bytes(t).get(0));
        assertEquals(0, head.bytes(t).get(1), "nothing of the lost answer was written");
        assertTrue(counts.bytesFromNodes().isEmpty(), "bytes that did not come back are not counted");
    }

    @Test
    void aFailureOnTheNodeIsRethrownWithTheOriginalClassAndTheNode() {
        ContinuousTensor t = head.allocate(DataType.FLOAT32, 4);
        TaskError.RemoteTaskException e = assertThrows(TaskError.RemoteTaskException.class, () -> chip()
                .run(1, new TaskArgsSnapshot(List.of(t), new long[0]), CallConfig.DEFAULT, 0));
        assertEquals(IllegalStateException.class.getName(), e.exceptionClass());
        assertTrue(e.getMessage().contains(NodeChipTest.NODE), e.getMessage());
        assertEquals(1L, counts.snapshot().get(NODE_HOST_PORT), "a task that failed on the node ran there");
    }

    @Test
    void noAnswerWithinTheTaskTimeoutFailsNamingTheSetting() {
        RemoteChip silent = new RemoteChip(0, names, classes, head, Duration.ofMillis(50), (message, timeout) ->
                CompletableFuture.failedFuture(new TimeoutException("ask timed out after " + timeout)), counts,
                NodeChipTest.TRANSFER);
        ContinuousTensor t = head.allocate(DataType.FLOAT32, 4);
        TimeoutException e = assertThrows(TimeoutException.class, () -> silent
                .run(0, new TaskArgsSnapshot(List.of(t, t), new long[] {1}), CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains("strata.cluster.task-timeout") && e.getMessage().contains("'add'"),
                e.getMessage());
    }

    @Test
    void anUnknownCallableIdFailsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> chip()
                .run(7, new TaskArgsSnapshot(List.of(), new long[0]), CallConfig.DEFAULT, 0));
        assertTrue(e.getMessage().contains("7"), e.getMessage());
    }
}
