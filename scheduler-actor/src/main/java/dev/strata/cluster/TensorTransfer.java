package dev.strata.cluster;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * Moves the bytes of tensors between a head and a worker node as {@link TensorBytes}: up to {@link #INLINE_MAX}
 * inline in the message — the message must fit in one Artery frame (256 KiB by default, and Artery drops a larger
 * message with only a log line) — and above that as a Pekko {@code SourceRef} of {@link #CHUNK}-byte
 * {@link ByteString}s the receiver pulls, raw bytes with flow control, whatever the size. Every wait is bounded by
 * {@code timeout}; a stream that is never pulled ends itself after Pekko's
 * {@code stream-ref.subscription-timeout} (30 s).
 */
public final class TensorTransfer {
    /** Most bytes sent inline in a message (128 KiB): well under Artery's 256 KiB frame, with the rest of it. */
    public static final int INLINE_MAX = 128 * 1024;
    /** Bytes per streamed chunk (128 KiB: one Artery frame each, measured fine on loopback). */
    public static final int CHUNK = 128 * 1024;

    private final Materializer materializer;
    private final Duration timeout;
    private final int inlineMax;

    /** Streams with {@code system}'s materializer; waits at most {@code timeout} for the bytes. */
    public TensorTransfer(ClassicActorSystemProvider system, Duration timeout) {
        this(Materializer.matFromSystem(system), timeout, INLINE_MAX);
    }

    TensorTransfer(Materializer materializer, Duration timeout, int inlineMax) {
        this.materializer = materializer;
        this.timeout = timeout;
        this.inlineMax = inlineMax;
    }

    /** How long a wait for bytes may take ({@code strata.cluster.task-timeout}). */
    Duration timeout() {
        return timeout;
    }

    /**
     * The bytes of {@code sources} (each from its position to its limit; the buffers themselves are not moved), to
     * put in a message. Inline ones are copied here and {@code release} runs at once; streamed ones are read from
     * the buffers as the receiver pulls, so they must stay valid until {@code release} runs, when the stream has
     * ended (read, failed, or never pulled). A streamed result can be read once: call this again for a new message.
     */
    public TensorBytes send(List<ByteBuffer> sources, Runnable release) {
        return send(sources, release, inlineMax);
    }

    /** {@link #send(List, Runnable)}, inline only up to {@code inlineLimit} bytes (at most this transfer's). */
    TensorBytes send(List<ByteBuffer> sources, Runnable release, long inlineLimit) {
        List<ByteBuffer> own = new ArrayList<>(sources.size());
        long size = 0;
        for (ByteBuffer b : sources) {
            own.add(b.duplicate());
            size += b.remaining();
        }
        if (size <= Math.min(inlineLimit, inlineMax)) {
            byte[] bytes = new byte[(int) size];
            ByteBuffer into = ByteBuffer.wrap(bytes);
            own.forEach(into::put);
            release.run();
            return new TensorBytes(size, bytes, null);
        }
        return new TensorBytes(size, null, Source.fromIterator(() -> new Chunks(own))
                .watchTermination((mat, done) -> {
                    done.whenComplete((d, e) -> release.run());
                    return mat;
                })
                .runWith(StreamRefs.sourceRef(), materializer));
    }

    /**
     * Writes {@code bytes} into {@code targets} (each filled from its position to its limit) as they arrive: for
     * memory nobody else reads until this returns. A failure or a timeout stops the writing before it throws; bytes
     * that do not fit the targets are not read at all.
     *
     * @throws TimeoutException when the bytes did not all arrive within the timeout
     * @throws TransferException when the stream failed (the sender is gone, say) or brought the wrong size
     */
    public void writeAsItArrives(TensorBytes bytes, List<ByteBuffer> targets) throws Exception {
        Writer writer;
        try {
            writer = new Writer(targets, bytes.size());
        } catch (IllegalArgumentException e) {
            discard(bytes);
            throw e;
        }
        if (!bytes.streamed()) {
            writer.write(ByteString.fromArrayUnsafe(bytes.inline()));
        } else {
            Pair<UniqueKillSwitch, CompletionStage<org.apache.pekko.Done>> run = bytes.stream().getSource()
                    .viaMat(KillSwitches.single(), Keep.right())
                    .toMat(Sink.foreach(writer::write), Keep.both())
                    .run(materializer);
            await(bytes, run.second(), () -> {
                writer.cancel();
                run.first().shutdown();
            });
        }
        writer.requireComplete();
    }

    /**
     * Writes {@code bytes} into {@code targets} only once all of them have arrived (held on the Java heap until
     * then): a stream that fails half-way leaves the targets as they were, so memory that a retry of the task reads
     * again is never half overwritten.
     *
     * @throws TimeoutException when the bytes did not all arrive within the timeout
     * @throws TransferException when the stream failed or brought the wrong size
     */
    public void writeWhenAllArrived(TensorBytes bytes, List<ByteBuffer> targets) throws Exception {
        List<ByteString> chunks;
        if (!bytes.streamed()) {
            chunks = List.of(ByteString.fromArrayUnsafe(bytes.inline()));
        } else {
            Pair<UniqueKillSwitch, CompletionStage<List<ByteString>>> run = bytes.stream().getSource()
                    .viaMat(KillSwitches.single(), Keep.right())
                    .toMat(Sink.seq(), Keep.both())
                    .run(materializer);
            chunks = await(bytes, run.second(), () -> run.first().shutdown());
        }
        long arrived = 0;
        for (ByteString c : chunks) {
            arrived += c.size();
        }
        if (arrived != bytes.size()) {
            throw new TransferException(arrived + " bytes of tensors arrived, " + bytes.size() + " were announced");
        }
        Writer writer = new Writer(targets, bytes.size());
        chunks.forEach(writer::write);
        writer.requireComplete();
    }

    /** Lets the sender of streamed bytes nobody will read end its stream now rather than at its timeout. */
    public void discard(TensorBytes bytes) {
        if (bytes != null && bytes.streamed()) {
            bytes.stream().getSource().runWith(Sink.cancelled(), materializer);
        }
    }

    private <T> T await(TensorBytes bytes, CompletionStage<T> done, Runnable stop) throws Exception {
        try {
            return done.toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            stop.run();
            throw new TimeoutException(bytes.size() + " bytes of tensors did not arrive within " + timeout
                    + " (strata.cluster.task-timeout)");
        } catch (InterruptedException e) {
            stop.run();
            throw e;
        } catch (ExecutionException e) {
            stop.run();
            Throwable cause = e.getCause();
            throw new TransferException("streaming " + bytes.size() + " bytes of tensors failed: " + cause, cause);
        }
    }

    /** The bytes of tensors did not arrive whole. */
    public static final class TransferException extends Exception {
        TransferException(String message) {
            super(message);
        }

        TransferException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** {@link #CHUNK}-sized copies of the buffers, in order; a chunk never spans two buffers. */
    static final class Chunks implements Iterator<ByteString> {
        private final List<ByteBuffer> sources;
        private int index;

        Chunks(List<ByteBuffer> sources) {
            this.sources = sources;
        }

        @Override
        public boolean hasNext() {
            while (index < sources.size() && !sources.get(index).hasRemaining()) {
                index++;
            }
            return index < sources.size();
        }

        @Override
        public ByteString next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ByteBuffer from = sources.get(index);
            int n = Math.min(CHUNK, from.remaining());
            ByteBuffer part = from.slice().limit(n);
            from.position(from.position() + n);
            return ByteString.fromByteBuffer(part);
        }
    }

    /**
     * Writes chunks into the targets in order. Once {@link #cancel() cancelled} it writes nothing more, and the
     * lock makes that hold from the moment {@code cancel} returns: the caller may then free the targets.
     */
    static final class Writer {
        private final List<ByteBuffer> targets;
        private final long expected;
        private int index;
        private long written;
        private boolean cancelled;

        Writer(List<ByteBuffer> targets, long expected) {
            this.targets = new ArrayList<>(targets.size());
            long room = 0;
            for (ByteBuffer t : targets) {
                this.targets.add(t.duplicate());
                room += t.remaining();
            }
            if (room != expected) {
                throw new IllegalArgumentException(expected + " bytes of tensors for " + room + " bytes of room");
            }
            this.expected = expected;
        }

        synchronized void write(ByteString chunk) {
            if (cancelled) {
                throw new CancellationException("the transfer was given up");
            }
            ByteBuffer from = chunk.asByteBuffer();
            if (written + from.remaining() > expected) {
                throw new IllegalStateException("more than the " + expected + " bytes of tensors announced arrived");
            }
            while (from.hasRemaining()) {
                while (!targets.get(index).hasRemaining()) {
                    index++;
                }
                ByteBuffer to = targets.get(index);
                int n = Math.min(to.remaining(), from.remaining());
                to.put(from.slice().limit(n));
                from.position(from.position() + n);
                written += n;
            }
        }

        synchronized void cancel() {
            cancelled = true;
        }

        synchronized void requireComplete() throws TransferException {
            if (written != expected) {
                throw new TransferException(written + " bytes of tensors arrived, " + expected + " were announced");
            }
        }
    }
}
