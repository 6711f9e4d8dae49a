package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.protocol.TensorArgType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The compact form of task and answer batches: every field comes back as it went, streams and errors beside. */
@Timeout(30)
class BatchCodecTest {
    private static final ContinuousTensor A = ContinuousTensor.of(0x10_0000_0040L, DataType.FLOAT32, 4);
    private static final ContinuousTensor B = ContinuousTensor.of(0x20_0000_0000L, DataType.INT64, 2, 3, 1, 5, 7);
    private static final ContinuousTensor NONE = ContinuousTensor.of(0, DataType.UINT8, 0);

    @Test
    void tasksComeBackFieldByField() {
        ChipEntity.Task inline = new ChipEntity.Task(Long.MAX_VALUE, "gemm-é", 3,
                new TaskArgsSnapshot(List.of(A, B, NONE), new long[] {-1, 42, Long.MIN_VALUE},
                        List.of(TensorArgType.INPUT, TensorArgType.OUTPUT_EXISTING, TensorArgType.NO_DEP)),
                new ShippingPlan(List.of(new ShippingPlan.Shipped(A, true, false),
                        new ShippingPlan.Shipped(B, false, true))),
                new TensorBytes(5, new byte[] {1, 2, 3, 4, 5}, null), new CallConfig(24, 3, true), 7);
        SourceRef<ByteString> stream = stream();
        ChipEntity.Task streamed = new ChipEntity.Task(1, "", 0, new TaskArgsSnapshot(List.of(), new long[0]),
                new ShippingPlan(List.of()), new TensorBytes(1L << 33, null, stream), CallConfig.DEFAULT, 0);
        List<SourceRef<ByteString>> streams = new ArrayList<>();
        byte[] bytes = BatchCodec.encodeTasks(List.of(inline, streamed), streams);
        assertEquals(List.of(stream), streams);

        List<ChipEntity.Task> back = BatchCodec.decodeTasks(bytes, streams);
        assertEquals(2, back.size());
        same(inline, back.get(0));
        same(streamed, back.get(1));
        assertSame(stream, back.get(1).in().stream());
        assertEquals(1L << 33, back.get(1).in().size());
        assertNull(back.get(1).args().tags(), "no tags stay no tags");
    }

    private static void same(ChipEntity.Task want, ChipEntity.Task got) {
        assertEquals(want.dispatch(), got.dispatch());
        assertEquals(want.callableName(), got.callableName());
        assertEquals(want.callable(), got.callable());
        assertEquals(want.args(), got.args());
        assertEquals(want.args().tags(), got.args().tags());
        assertEquals(want.plan(), got.plan());
        assertEquals(want.config(), got.config());
        assertEquals(want.groupIndex(), got.groupIndex());
        assertEquals(want.in().streamed(), got.in().streamed());
        if (!want.in().streamed()) {
            assertArrayEquals(want.in().inline(), got.in().inline());
        }
    }

    @Test
    void answersComeBackWithTheirBytesStreamsAndErrors() {
        String node = NodeChipTest.NODE;
        SourceRef<ByteString> stream = stream();
        TaskError error = TaskError.of(new IllegalStateException("boom"));
        List<ChipEntity.Ran> answers = List.of(new ChipEntity.Ran(4, node, new TensorBytes(2, new byte[] {9, 8}, null),
                null), new ChipEntity.Ran(5, node, null, error), new ChipEntity.Ran(6, node,
                new TensorBytes(300_000, null, stream), null), new ChipEntity.Ran(7, node, TensorBytes.NONE, null));
        List<SourceRef<ByteString>> streams = new ArrayList<>();
        List<TaskError> errors = new ArrayList<>();
        byte[] bytes = BatchCodec.encodeAnswers(answers, streams, errors);
        assertEquals(List.of(stream), streams);
        assertEquals(List.of(error), errors);

        List<ChipEntity.Ran> back = BatchCodec.decodeAnswers(node, bytes, streams, errors);
        assertEquals(List.of(4L, 5L, 6L, 7L), back.stream().map(ChipEntity.Ran::dispatch).toList());
        assertTrue(back.stream().allMatch(r -> r.node().equals(node)));
        assertArrayEquals(new byte[] {9, 8}, back.get(0).back().inline());
        assertEquals(error, back.get(1).error());
        assertNull(back.get(1).back());
        assertSame(stream, back.get(2).back().stream());
        assertEquals(300_000, back.get(2).back().size());
        assertEquals(0, back.get(3).back().size());
        assertNull(back.get(0).warning(), "no warning stays no warning");
    }

    @Test
    void anAnswersTagCheckWarningComesBack() {
        String warning = "callable 'k' wrote tensor 1 of its args (address 0x10, 4 bytes), tagged NO_DEP — é";
        List<ChipEntity.Ran> answers = List.of(new ChipEntity.Ran(4, "n", TensorBytes.NONE, null, null, warning));
        List<SourceRef<ByteString>> streams = new ArrayList<>();
        List<TaskError> errors = new ArrayList<>();
        List<ChipEntity.Ran> back = BatchCodec.decodeAnswers("n", BatchCodec.encodeAnswers(answers, streams, errors),
                streams, errors);
        assertEquals(warning, back.get(0).warning());
        assertEquals(warning, back.get(0).forDispatch(9).warning());
        assertTrue(BatchCodec.weight(answers.get(0)) > 3L * warning.length(), "the warning counts in the weight");
    }

    @Test
    void aBatchCarriesTheHeadsTagCheckSettingToEachOfItsRuns() {
        ChipEntity.Task task = new ChipEntity.Task(1, "gemm", 0, new TaskArgsSnapshot(List.of(A), new long[0],
                List.of(TensorArgType.INPUT)), new ShippingPlan(List.of(new ShippingPlan.Shipped(A, true, false))),
                new TensorBytes(0, new byte[0], null), CallConfig.DEFAULT, 0);
        for (boolean on : new boolean[] {true, false}) {
            ChipEntity.RunBatch batch = ChipEntity.RunBatch.of(null, List.of("a.Gemm"), null, List.of(task), on);
            assertEquals(on, batch.checkTags());
            assertEquals(on, batch.runs().get(0).checkTags());
            assertEquals(List.of(TensorArgType.INPUT), batch.runs().get(0).args().tags());
        }
    }

    @Test
    void bytesThatDoNotDecodeAreRefusedNamingWhat() {
        byte[] bytes = BatchCodec.encodeTasks(List.of(new ChipEntity.Task(1, "k", 0,
                new TaskArgsSnapshot(List.of(A), new long[] {1}), new ShippingPlan(List.of()), TensorBytes.NONE,
                CallConfig.DEFAULT, 0)), new ArrayList<>());
        IllegalArgumentException cut = assertThrows(IllegalArgumentException.class,
                () -> BatchCodec.decodeTasks(Arrays.copyOf(bytes, bytes.length - 3), List.of()));
        assertTrue(cut.getMessage().contains("batch of chip tasks"), cut.getMessage());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(IllegalArgumentException.class, () -> BatchCodec.decodeTasks(longer, List.of()));
        byte[] hugeCount = ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array();
        assertThrows(IllegalArgumentException.class, () -> BatchCodec.decodeAnswers("n", hugeCount, List.of(),
                List.of()));
    }

    @Test
    void batchesAreCutSoThatTheirInlineBytesFitOneFrame() {
        ChipEntity.Task big = new ChipEntity.Task(1, "k", 0, new TaskArgsSnapshot(List.of(A), new long[0]),
                new ShippingPlan(List.of()), new TensorBytes(100_000, new byte[100_000], null), CallConfig.DEFAULT, 0);
        ChipEntity.Task small = new ChipEntity.Task(2, "k", 0, new TaskArgsSnapshot(List.of(A), new long[0]),
                new ShippingPlan(List.of()), new TensorBytes(64, new byte[64], null), CallConfig.DEFAULT, 0);
        List<List<ChipEntity.Task>> batches = BatchCodec.split(List.of(small, big, big, small, small),
                BatchCodec::weight);
        assertEquals(List.of(2, 3), batches.stream().map(List::size).toList(), "in order, none over the max");
        for (List<ChipEntity.Task> batch : batches) {
            assertTrue(BatchCodec.encodeTasks(batch, new ArrayList<>()).length <= BatchCodec.BATCH_MAX
                    || batch.size() == 1);
        }
        assertEquals(List.of(List.of(small, small)), BatchCodec.split(List.of(small, small), BatchCodec::weight));

        ChipEntity.Ran back = new ChipEntity.Ran(3, "n", new TensorBytes(60_000, new byte[60_000], null), null);
        assertEquals(List.of(2, 1), BatchCodec.split(List.of(back, back, back), BatchCodec::weight).stream()
                .map(List::size).toList());
        ChipEntity.Ran failed = new ChipEntity.Ran(4, "n", null, new TaskError("X", "m".repeat(30_000), List.of()));
        assertTrue(BatchCodec.weight(failed) >= 90_000, "an error weighs its text");
    }

    private static SourceRef<ByteString> stream() {
        return NodeChipTest.TRANSFER.send(List.of(ByteBuffer.allocate(TensorTransfer.INLINE_MAX + 1)), () -> { })
                .stream();
    }
}
