package dev.strata.cluster;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.protocol.TensorArgType;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.util.ByteString;

/**
 * The compact form of the hot messages, {@link ChipEntity.RunBatch} and {@link ChipEntity.RanBatch}: every task's
 * (or answer's) fixed fields, tensors, scalars and inline bytes packed one after the other into one {@code byte[]},
 * which Jackson CBOR writes as it is. Field by field, Jackson would write every property name and go through its
 * bean machinery for each task; that was most of the CPU a remote task cost. What cannot be bytes travels beside
 * them in the message: the streams of large tensors (indexed from the bytes) and the errors. Big-endian; a byte
 * array that does not decode fails with {@link IllegalArgumentException}. A batch is cut to fit a frame
 * ({@link #split}).
 */
final class BatchCodec {
    private static final byte INLINE = 0;
    private static final byte STREAMED = 1;
    private static final byte FAILED = 2;
    /** In an answer after its bytes: no level-3 trace follows (a chip's answer). */
    private static final byte NO_TRACE = 3;
    private static final DataType[] DTYPES = DataType.values();
    private static final TensorArgType[] TAGS = TensorArgType.values();

    private BatchCodec() {
    }

    /**
     * Most bytes one batch message may weigh ({@link TensorTransfer#INLINE_MAX}, 128 KiB): the inline tensor bytes
     * of several tasks together could otherwise outgrow an Artery frame (256 KiB), and Artery drops a larger
     * message with only a log line.
     */
    static final long BATCH_MAX = TensorTransfer.INLINE_MAX;

    /**
     * {@code items} in order, cut into batches of at most {@link #BATCH_MAX} by {@code weight} (an item heavier than
     * that goes alone: one task's inline bytes are at most {@link TensorTransfer#INLINE_MAX}).
     */
    static <T> List<List<T>> split(List<T> items, ToLongFunction<T> weight) {
        List<List<T>> batches = new ArrayList<>();
        List<T> batch = new ArrayList<>();
        long weighs = 0;
        for (T item : items) {
            long w = weight.applyAsLong(item);
            if (!batch.isEmpty() && weighs + w > BATCH_MAX) {
                batches.add(batch);
                batch = new ArrayList<>();
                weighs = 0;
            }
            batch.add(item);
            weighs += w;
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    /** About how many bytes {@code t} takes in a batch message (at least: tensors at their largest). */
    static long weight(ChipEntity.Task t) {
        int tensors = t.args().tensorCount() + t.plan().tensors().size(); // a tag, when sent, is within a tensor's 30
        return 64L + 3L * t.callableName().length() + 30L * tensors + 8L * t.args().scalars().length
                + (t.in().streamed() ? 256 : t.in().size());
    }

    /** About how many bytes {@code ran} takes in a batch message (an error's text counted 3 bytes a char). */
    static long weight(ChipEntity.Ran ran) {
        if (ran.error() == null) {
            TensorBytes below = ran.below();
            return 16L + (ran.back().streamed() ? 256 : ran.back().size())
                    + (below == null ? 0 : below.streamed() ? 256 : below.size())
                    + (ran.warning() == null ? 0 : 3L * ran.warning().length());
        }
        TaskError e = ran.error();
        long chars = e.exceptionClass().length() + (e.message() == null ? 0 : e.message().length());
        for (String line : e.stack()) {
            chars += line.length() + 2;
        }
        return 64L + 3 * chars;
    }

    /** The bytes of {@code tasks}; the streams of their streamed inputs are added to {@code streams}. */
    static byte[] encodeTasks(List<ChipEntity.Task> tasks, List<SourceRef<ByteString>> streams) {
        Out out = new Out();
        out.putInt(tasks.size());
        for (ChipEntity.Task t : tasks) {
            out.putLong(t.dispatch());
            out.putInt(t.callable());
            out.putString(t.callableName());
            out.putInt(t.groupIndex());
            out.putInt(t.config().blockDim());
            out.putInt(t.config().aicpuThreadNum());
            out.put((byte) (t.config().enableProfiling() ? 1 : 0));
            TaskArgsSnapshot args = t.args();
            out.putInt(args.tensorCount());
            for (int i = 0; i < args.tensorCount(); i++) {
                putTensor(out, args.tensor(i));
            }
            long[] scalars = args.scalars();
            out.putInt(scalars.length);
            for (long s : scalars) {
                out.putLong(s);
            }
            List<TensorArgType> tags = args.tags();
            out.putInt(tags == null ? -1 : tags.size());
            if (tags != null) {
                for (TensorArgType tag : tags) {
                    out.put((byte) tag.ordinal());
                }
            }
            out.putInt(t.plan().tensors().size());
            for (ShippingPlan.Shipped s : t.plan().tensors()) {
                putTensor(out, s.tensor());
                out.put((byte) ((s.in() ? 1 : 0) | (s.back() ? 2 : 0)));
            }
            putBytes(out, t.in(), streams);
        }
        return out.bytes();
    }

    /** The tasks of {@link #encodeTasks}'s bytes, with their streams from {@code streams}. */
    static List<ChipEntity.Task> decodeTasks(byte[] bytes, List<SourceRef<ByteString>> streams) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int n = count(in);
            List<ChipEntity.Task> tasks = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                long dispatch = in.getLong();
                int callable = in.getInt();
                String name = string(in);
                int groupIndex = in.getInt();
                CallConfig config = new CallConfig(in.getInt(), in.getInt(), in.get() != 0);
                int tensorCount = count(in);
                List<ContinuousTensor> tensors = new ArrayList<>(tensorCount);
                for (int i = 0; i < tensorCount; i++) {
                    tensors.add(tensor(in));
                }
                long[] scalars = new long[count(in)];
                for (int i = 0; i < scalars.length; i++) {
                    scalars[i] = in.getLong();
                }
                int tagCount = in.getInt();
                List<TensorArgType> tags = null;
                if (tagCount >= 0) {
                    tags = new ArrayList<>(tagCount);
                    for (int i = 0; i < tagCount; i++) {
                        tags.add(TAGS[in.get()]);
                    }
                }
                int shippedCount = count(in);
                List<ShippingPlan.Shipped> shipped = new ArrayList<>(shippedCount);
                for (int i = 0; i < shippedCount; i++) {
                    ContinuousTensor t = tensor(in);
                    byte ways = in.get();
                    shipped.add(new ShippingPlan.Shipped(t, (ways & 1) != 0, (ways & 2) != 0));
                }
                TensorBytes data = bytes(in, in.get(), streams);
                tasks.add(new ChipEntity.Task(dispatch, name, callable, new TaskArgsSnapshot(tensors, scalars, tags),
                        new ShippingPlan(shipped), data, config, groupIndex));
            }
            end(in);
            return tasks;
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("a batch of chip tasks that does not decode: " + e, e);
        }
    }

    /**
     * The bytes of {@code answers} (all from one node); their streams are added to {@code streams}, their errors
     * to {@code errors}.
     */
    static byte[] encodeAnswers(List<ChipEntity.Ran> answers, List<SourceRef<ByteString>> streams,
                                List<TaskError> errors) {
        Out out = new Out();
        out.putInt(answers.size());
        for (ChipEntity.Ran ran : answers) {
            out.putLong(ran.dispatch());
            if (ran.error() != null) {
                out.put(FAILED);
                out.putInt(errors.size());
                errors.add(ran.error());
            } else {
                putBytes(out, ran.back(), streams);
                if (ran.below() == null) {
                    out.put(NO_TRACE);
                } else {
                    putBytes(out, ran.below(), streams);
                }
                out.put((byte) (ran.warning() == null ? 0 : 1));
                if (ran.warning() != null) {
                    out.putString(ran.warning());
                }
            }
        }
        return out.bytes();
    }

    /** The answers of {@link #encodeAnswers}'s bytes, from {@code node}. */
    static List<ChipEntity.Ran> decodeAnswers(String node, byte[] bytes, List<SourceRef<ByteString>> streams,
                                              List<TaskError> errors) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes);
            int n = count(in);
            List<ChipEntity.Ran> answers = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                long dispatch = in.getLong();
                byte kind = in.get();
                if (kind == FAILED) {
                    answers.add(new ChipEntity.Ran(dispatch, node, null, errors.get(in.getInt())));
                } else {
                    TensorBytes back = bytes(in, kind, streams);
                    byte traceKind = in.get();
                    TensorBytes below = traceKind == NO_TRACE ? null : bytes(in, traceKind, streams);
                    String warning = in.get() == 0 ? null : string(in);
                    answers.add(new ChipEntity.Ran(dispatch, node, back, null, below, warning));
                }
            }
            end(in);
            return answers;
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("a batch of chip answers that does not decode: " + e, e);
        }
    }

    private static void putTensor(Out out, ContinuousTensor t) {
        out.putLong(t.data());
        out.put((byte) t.dtype().ordinal());
        out.put((byte) t.ndims());
        for (int d = 0; d < t.ndims(); d++) {
            out.putInt(t.shape(d));
        }
    }

    private static ContinuousTensor tensor(ByteBuffer in) {
        long data = in.getLong();
        DataType dtype = DTYPES[in.get()];
        int[] shape = new int[in.get()];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = in.getInt();
        }
        return ContinuousTensor.of(data, dtype, shape);
    }

    private static void putBytes(Out out, TensorBytes bytes, List<SourceRef<ByteString>> streams) {
        if (bytes.streamed()) {
            out.put(STREAMED);
            out.putLong(bytes.size());
            out.putInt(streams.size());
            streams.add(bytes.stream());
        } else {
            out.put(INLINE);
            out.putInt(bytes.inline().length);
            out.put(bytes.inline());
        }
    }

    private static TensorBytes bytes(ByteBuffer in, byte kind, List<SourceRef<ByteString>> streams) {
        if (kind == STREAMED) {
            long size = in.getLong();
            return new TensorBytes(size, null, streams.get(in.getInt()));
        }
        if (kind != INLINE) {
            throw new IllegalArgumentException("unknown kind of tensor bytes " + kind);
        }
        byte[] inline = new byte[count(in)];
        in.get(inline);
        return new TensorBytes(inline.length, inline, null);
    }

    private static String string(ByteBuffer in) {
        byte[] utf8 = new byte[count(in)];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** A count, which cannot exceed the bytes left (each item takes at least one). */
    private static int count(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("a count of " + n + " with " + in.remaining() + " bytes left");
        }
        return n;
    }

    private static void end(ByteBuffer in) {
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " bytes left over after the batch");
        }
    }

    /** A growing big-endian byte buffer. */
    private static final class Out {
        private ByteBuffer buf = ByteBuffer.allocate(256);

        private void room(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        void put(byte b) {
            room(1);
            buf.put(b);
        }

        void put(byte[] b) {
            room(b.length);
            buf.put(b);
        }

        void putString(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            putInt(utf8.length);
            put(utf8);
        }

        void putInt(int v) {
            room(4);
            buf.putInt(v);
        }

        void putLong(long v) {
            room(8);
            buf.putLong(v);
        }

        byte[] bytes() {
            return Arrays.copyOf(buf.array(), buf.position());
        }
    }
}
