package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(30)
class TensorTransferTest {
    private final ActorTestKit testKit = ActorTestKit.create();
    private final TensorTransfer transfer = new TensorTransfer(testKit.system(), Duration.ofSeconds(10));

    @AfterAll
    void stop() {
        testKit.shutdownTestKit();
    }

    /** {@code n} bytes counting up from {@code first}. */
    static ByteBuffer pattern(int n, int first) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put(i, (byte) (first + i * 7));
        }
        return b;
    }

    private static byte[] concat(ByteBuffer... buffers) {
        ByteBuffer all = ByteBuffer.allocate(java.util.Arrays.stream(buffers).mapToInt(ByteBuffer::remaining).sum());
        for (ByteBuffer b : buffers) {
            all.put(b.duplicate());
        }
        return all.array();
    }

    private static byte[] concat(List<ByteBuffer> buffers) {
        return concat(buffers.toArray(new ByteBuffer[0]));
    }

    @Test
    void fewBytesTravelInlineAndReleaseTheSourcesAtOnce() throws Exception {
        ByteBuffer a = pattern(10, 1);
        ByteBuffer b = pattern(6, 50);
        CountDownLatch released = new CountDownLatch(1);
        TensorBytes bytes = transfer.send(List.of(a, b), released::countDown);
        assertFalse(bytes.streamed());
        assertEquals(16, bytes.size());
        assertEquals(0, released.getCount());
        assertEquals(0, a.position(), "the sources' positions are left alone");
        List<ByteBuffer> targets = List.of(ByteBuffer.allocate(4), ByteBuffer.allocate(12));
        transfer.writeAsItArrives(bytes, targets);
        assertArrayEquals(concat(a, b), concat(targets));
    }

    @Test
    void justAboveTheInlineLimitTheBytesAreStreamed() {
        assertFalse(transfer.send(List.of(pattern(TensorTransfer.INLINE_MAX, 0)), () -> { }).streamed());
        TensorBytes streamed = transfer.send(List.of(pattern(TensorTransfer.INLINE_MAX + 1, 0)), () -> { });
        assertTrue(streamed.streamed());
        transfer.discard(streamed);
    }

    @Test
    void manyBytesAreStreamedInChunksAcrossTensorBoundsAndReleasedOnceRead() throws Exception {
        // Sizes that are no multiple of the chunk, written into targets cut elsewhere.
        ByteBuffer a = pattern(2 * TensorTransfer.CHUNK + 1, 3);
        ByteBuffer b = pattern(TensorTransfer.CHUNK / 2 + 5, 9);
        ByteBuffer empty = ByteBuffer.allocate(0);
        CountDownLatch released = new CountDownLatch(1);
        TensorBytes bytes = transfer.send(List.of(a, empty, b), released::countDown);
        assertTrue(bytes.streamed());
        assertEquals(a.remaining() + b.remaining(), bytes.size());
        assertEquals(1, released.getCount(), "the sources are read as the receiver pulls");
        int first = 100_000;
        List<ByteBuffer> targets = List.of(ByteBuffer.allocate(first), ByteBuffer.allocate((int) bytes.size() - first));
        transfer.writeAsItArrives(bytes, targets);
        assertArrayEquals(concat(a, b), concat(targets));
        assertTrue(released.await(10, TimeUnit.SECONDS), "released once the stream ended");
    }

    @Test
    void writeWhenAllArrivedWritesAStreamWhole() throws Exception {
        ByteBuffer a = pattern(3 * TensorTransfer.CHUNK + 17, 1);
        ByteBuffer target = ByteBuffer.allocate(a.remaining());
        transfer.writeWhenAllArrived(transfer.send(List.of(a), () -> { }), List.of(target));
        assertArrayEquals(concat(a), target.array());
    }

    /** Bytes announced as {@code size} whose stream brings one chunk, then fails. */
    private TensorBytes failingAfterOneChunk(long size) {
        SourceRef<ByteString> ref = Source.single(ByteString.fromArray(new byte[TensorTransfer.CHUNK]))
                .concat(Source.failed(new IllegalStateException("the node is gone")))
                .runWith(StreamRefs.sourceRef(), Materializer.matFromSystem(testKit.system()));
        return new TensorBytes(size, null, ref);
    }

    @Test
    void aStreamFailingHalfWayLeavesTheTargetsOfWriteWhenAllArrivedUntouched() {
        ByteBuffer target = ByteBuffer.allocate(4 * TensorTransfer.CHUNK);
        TensorTransfer.TransferException e = assertThrows(TensorTransfer.TransferException.class,
                () -> transfer.writeWhenAllArrived(failingAfterOneChunk(target.capacity()), List.of(target)));
        assertTrue(e.getMessage().contains("the node is gone"), e.getMessage());
        assertArrayEquals(new byte[target.capacity()], target.array(), "nothing written");
    }

    @Test
    void aStreamFailingHalfWayFailsWriteAsItArrives() {
        ByteBuffer target = ByteBuffer.allocate(4 * TensorTransfer.CHUNK);
        TensorTransfer.TransferException e = assertThrows(TensorTransfer.TransferException.class,
                () -> transfer.writeAsItArrives(failingAfterOneChunk(target.capacity()), List.of(target)));
        assertTrue(e.getMessage().contains("the node is gone"), e.getMessage());
    }

    @Test
    void fewerBytesThanAnnouncedFailNamingBoth() {
        ByteBuffer a = pattern(2 * TensorTransfer.CHUNK, 1);
        TensorBytes real = transfer.send(List.of(a), () -> { });
        TensorBytes lying = new TensorBytes(real.size() + 1, null, real.stream());
        ByteBuffer target = ByteBuffer.allocate((int) lying.size());
        TensorTransfer.TransferException e = assertThrows(TensorTransfer.TransferException.class,
                () -> transfer.writeWhenAllArrived(lying, List.of(target)));
        assertTrue(e.getMessage().contains(real.size() + " bytes") && e.getMessage().contains(lying.size() + ""),
                e.getMessage());
    }

    @Test
    void bytesThatDoNotFitTheTargetsAreRejectedAndTheirStreamEnded() throws Exception {
        TensorBytes inline = transfer.send(List.of(pattern(8, 0)), () -> { });
        assertThrows(IllegalArgumentException.class,
                () -> transfer.writeAsItArrives(inline, List.of(ByteBuffer.allocate(4))));
        CountDownLatch released = new CountDownLatch(1);
        TensorBytes streamed = transfer.send(List.of(pattern(TensorTransfer.INLINE_MAX + 1, 0)), released::countDown);
        assertThrows(IllegalArgumentException.class,
                () -> transfer.writeAsItArrives(streamed, List.of(ByteBuffer.allocate(4))));
        assertTrue(released.await(10, TimeUnit.SECONDS), "the sender need not wait for its timeout");
    }

    @Test
    void aStreamThatNeverEndsTimesOutNamingTheSetting() {
        TensorTransfer quick = new TensorTransfer(Materializer.matFromSystem(testKit.system()),
                Duration.ofMillis(200), TensorTransfer.INLINE_MAX);
        SourceRef<ByteString> never = Source.<ByteString>never()
                .runWith(StreamRefs.sourceRef(), Materializer.matFromSystem(testKit.system()));
        TimeoutException e = assertThrows(TimeoutException.class, () -> quick.writeAsItArrives(
                new TensorBytes(10, null, never), List.of(ByteBuffer.allocate(10))));
        assertTrue(e.getMessage().contains("strata.cluster.task-timeout"), e.getMessage());
    }

    @Test
    void discardedBytesEndTheirStreamAndReleaseTheSources() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        TensorBytes bytes = transfer.send(List.of(pattern(TensorTransfer.INLINE_MAX + 1, 0)), released::countDown);
        transfer.discard(bytes);
        assertTrue(released.await(10, TimeUnit.SECONDS));
    }

    @Test
    void aCancelledWriterWritesNothingMore() {
        TensorTransfer.Writer writer = new TensorTransfer.Writer(List.of(ByteBuffer.allocate(4)), 4);
        writer.cancel();
        assertThrows(CancellationException.class, () -> writer.write(ByteString.fromArray(new byte[] {1, 2})));
    }
}
