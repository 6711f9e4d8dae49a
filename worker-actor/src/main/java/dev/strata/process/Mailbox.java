package dev.strata.process;

import dev.strata.memory.MappedFile;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsBlob;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorArgType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The shared-memory mailbox between a chip-process proxy (the parent) and its child JVM: one small file
 * both processes map. One task is in flight at a time; the state word hands the rest of the mailbox back
 * and forth, so every other field has exactly one writer at any moment.
 *
 * <pre>
 * offset  size  field           written by
 *   0     int32 state           parent: IDLE, TASK_READY, SHUTDOWN; child: TASK_DONE
 *   4     int32 error           child (OK, KERNEL_FAILED, BAD_DISPATCH, WARNED), before TASK_DONE
 *   8     int64 callable        parent, before TASK_READY
 *  16     int32 blockDim        parent  \
 *  20     int32 aicpuThreadNum  parent   } the CallConfig
 *  24     int32 enableProfiling parent  /  (0 or 1)
 *  28     int32 group index     parent
 *  32     int64 heartbeat       child's heartbeat thread, bumped every heartbeat-interval
 *  40     int64 child pid       child, once, when it is ready (the ready handshake); 0 before
 *  48     int32 error text len  child, before TASK_DONE (bytes, 0..4096)
 *  52     int32 magic           parent at create ("STMB"), checked by the child at open
 *  56     int32 child waiting   child: 1 while it blocks on its doorbell, else 0
 *  60     int32 parent waiting  parent: 1 while it blocks on its doorbell, else 0
 *  64     ...   TaskArgsBlob    parent, before TASK_READY; at most size - 64 - 4096 bytes
 *         ...   tags            parent, right after the blob, only with the tag checker on (both sides know it from
 *                               the child's spec): int32 count (-1: unknown), then one TensorArgType ordinal byte per
 *                               tensor
 *  size-4096    error text      child, UTF-8, at most 4096 bytes
 * </pre>
 *
 * <p>Memory ordering: the writer of a hand-over fills its fields with plain stores and then publishes the
 * state word with a volatile store (release, plus the store-load fence the waiting flags need); the reader
 * observes the state with an acquire load ({@code getAcquire}) before reading any field. The two processes
 * map the same physical pages, so this is the same happens-before edge as between two threads of one JVM.
 *
 * <p>Waiting: a side that has spun for a while without seeing its state announces it will block (volatile
 * store of its waiting word, then a volatile load of the state — {@link #parentSleeps()},
 * {@link #childSleeps()}); a publisher stores the state and then loads the peer's waiting word. Like
 * Dekker's algorithm, one of the two always sees the other's store, so a waiter either sees the new state or
 * is told to wake up (the publish methods return {@code true}: ring its {@link Doorbell}). No wake-up is lost;
 * a ring may be stale, so a woken side re-checks the state.
 *
 * <p>Not thread-safe on either side: the parent's fields are written by its one worker thread, the child's
 * by its one task loop (the heartbeat word by its heartbeat thread only).
 *
 * <p>One file of about 400 lines on purpose: the byte layout, the accessors that implement it and the
 * ordering argument above must be read and changed together (file mapping itself is {@link MappedFile}'s).
 */
public final class Mailbox implements AutoCloseable {
    /** Nothing to do; the parent may post. */
    public static final int IDLE = 0;
    /** The parent posted a task; the child owns the mailbox until it publishes TASK_DONE. */
    public static final int TASK_READY = 1;
    /** The child finished the task; error word and error text are valid. */
    public static final int TASK_DONE = 2;
    /** The child should exit. */
    public static final int SHUTDOWN = 3;

    /** Error word: the kernel returned normally. */
    public static final int OK = 0;
    /** Error word: the kernel threw; the error text holds its class, message and stack. */
    public static final int KERNEL_FAILED = 1;
    /** Error word: the dispatch itself was bad (unknown callable, malformed blob); the text says why. */
    public static final int BAD_DISPATCH = 2;

    /** Error word: the kernel returned normally; the error text holds the tag checker's warning. */
    public static final int WARNED = 3;

    /** Bytes before the args blob. */
    public static final int HEADER_BYTES = 64;
    /** Bytes of the error text area at the end of the mailbox. */
    public static final int ERROR_TEXT_BYTES = 4096;

    static final int STATE = 0;
    static final int ERROR = 4;
    static final int CALLABLE = 8;
    static final int BLOCK_DIM = 16;
    static final int AICPU_THREADS = 20;
    static final int PROFILING = 24;
    static final int GROUP_INDEX = 28;
    static final int HEARTBEAT = 32;
    static final int CHILD_PID = 40;
    static final int ERROR_TEXT_LENGTH = 48;
    static final int MAGIC_OFFSET = 52;
    static final int CHILD_WAITING = 56;
    static final int PARENT_WAITING = 60;
    static final int MAGIC = 0x424D5453; // "STMB" little-endian

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final TensorArgType[] TAGS = TensorArgType.values();
    private static final String TRUNCATED = " ...[truncated]";
    private static final byte[] TRUNCATED_BYTES = TRUNCATED.getBytes(StandardCharsets.UTF_8);

    private final Path file;
    private final boolean owner;
    private final MappedByteBuffer buffer;
    private final ByteBuffer args;
    private final ByteBuffer errorText;
    private boolean closed;

    private Mailbox(Path file, boolean owner, MappedByteBuffer buffer) {
        this.file = file;
        this.owner = owner;
        this.buffer = buffer;
        int size = buffer.capacity();
        this.args = buffer.slice(HEADER_BYTES, argsCapacity(size)).order(ByteOrder.LITTLE_ENDIAN);
        this.errorText = buffer.slice(size - ERROR_TEXT_BYTES, ERROR_TEXT_BYTES);
    }

    /** Bytes of args blob a mailbox of {@code mailboxSize} bytes holds. */
    public static int argsCapacity(int mailboxSize) {
        return mailboxSize - HEADER_BYTES - ERROR_TEXT_BYTES;
    }

    /**
     * Creates a new owner-only mailbox file of {@code size} bytes (state IDLE, no child) and maps it; the
     * file is deleted by {@link #close()}.
     *
     * @throws IllegalArgumentException if {@code size} leaves no room for an empty args blob
     * @throws UncheckedIOException     if the file exists already or cannot be created or mapped
     */
    public static Mailbox create(Path file, int size) {
        Objects.requireNonNull(file, "file");
        if (argsCapacity(size) < TaskArgsBlob.HEADER_BYTES) {
            throw new IllegalArgumentException("mailbox size " + size + " must be at least "
                    + (HEADER_BYTES + ERROR_TEXT_BYTES + TaskArgsBlob.HEADER_BYTES) + " bytes");
        }
        try {
            MappedFile.createOwnerOnly(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create mailbox file " + file, e);
        }
        try {
            Mailbox m = new Mailbox(file, true, map(file, size, true));
            INT.setRelease(m.buffer, MAGIC_OFFSET, MAGIC);
            return m;
        } catch (RuntimeException e) {
            MappedFile.deleteQuietly(file);
            throw e;
        }
    }

    /**
     * Maps an existing mailbox made by {@link #create} (in the parent); closing it unmaps but keeps the file.
     *
     * @throws IllegalArgumentException if the file is not a mailbox
     * @throws UncheckedIOException     if it cannot be mapped
     */
    public static Mailbox open(Path file) {
        Objects.requireNonNull(file, "file");
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open mailbox file " + file, e);
        }
        if (size < HEADER_BYTES + ERROR_TEXT_BYTES + TaskArgsBlob.HEADER_BYTES || size > MappedFile.MAX_MAPPING) {
            throw new IllegalArgumentException("file " + file + " has " + size + " bytes, not a mailbox");
        }
        Mailbox m = new Mailbox(file, false, map(file, (int) size, false));
        int magic = (int) INT.getAcquire(m.buffer, MAGIC_OFFSET);
        if (magic != MAGIC) {
            m.close();
            throw new IllegalArgumentException("file " + file + " is not a Strata mailbox (magic 0x"
                    + Integer.toHexString(magic) + ")");
        }
        return m;
    }

    /** The mailbox file. */
    public Path file() {
        return file;
    }

    /** Bytes of the mailbox. */
    public int size() {
        return buffer.capacity();
    }

    /** Largest args blob {@link #post} accepts. */
    public int argsCapacity() {
        return args.capacity();
    }

    // ---- parent side -------------------------------------------------------------------------------------

    /**
     * Writes one dispatch and publishes TASK_READY. Call only while the state is IDLE or TASK_DONE.
     *
     * @return whether the child is blocked (or about to block) on its doorbell and must be rung
     * @throws IllegalArgumentException if the args blob does not fit; nothing is published then
     */
    public boolean post(long callable, CallConfig config, int groupIndex, TaskArgsView taskArgs) {
        return post(callable, config, groupIndex, taskArgs, false);
    }

    /**
     * As above, with the args' tags after the blob when {@code withTags} (the tag checker is on: the child reads them
     * with {@link #args(boolean) args(true)}).
     */
    public boolean post(long callable, CallConfig config, int groupIndex, TaskArgsView taskArgs, boolean withTags) {
        List<TensorArgType> tags = withTags && taskArgs instanceof TaskArgsSnapshot s ? s.tags() : null;
        int need = TaskArgsBlob.encodedSize(taskArgs) + (withTags ? tagBytes(taskArgs.tensorCount()) : 0);
        if (need > args.capacity()) {
            throw new IllegalArgumentException("args blob of " + need + " bytes (" + taskArgs.tensorCount()
                    + " tensors, " + taskArgs.scalarCount() + " scalars" + (withTags ? ", their tags" : "")
                    + ") does not fit the mailbox's " + args.capacity() + " bytes; raise"
                    + " strata.worker.process.mailbox-size");
        }
        buffer.putLong(CALLABLE, callable);
        buffer.putInt(BLOCK_DIM, config.blockDim());
        buffer.putInt(AICPU_THREADS, config.aicpuThreadNum());
        buffer.putInt(PROFILING, config.enableProfiling() ? 1 : 0);
        buffer.putInt(GROUP_INDEX, groupIndex);
        buffer.putInt(ERROR, OK);
        buffer.putInt(ERROR_TEXT_LENGTH, 0);
        args.clear();
        int written = TaskArgsBlob.write(args, taskArgs);
        if (withTags) {
            args.position(written);
            args.putInt(tags == null ? -1 : tags.size());
            if (tags != null) {
                for (TensorArgType tag : tags) {
                    args.put((byte) tag.ordinal());
                }
            }
        }
        return publish(TASK_READY, CHILD_WAITING);
    }

    /** The state word (acquire): what the last publisher handed over. */
    public int state() {
        return (int) INT.getAcquire(buffer, STATE);
    }

    /** Sets the state to IDLE after the parent has read a TASK_DONE. */
    public void reset() {
        INT.setRelease(buffer, STATE, IDLE);
    }

    /**
     * Asks the child to exit.
     *
     * @return whether the child must be rung
     */
    public boolean requestShutdown() {
        return publish(SHUTDOWN, CHILD_WAITING);
    }

    /** The parent is about to block on its doorbell: announces it, then returns the state (volatile read). */
    public int parentSleeps() {
        INT.setVolatile(buffer, PARENT_WAITING, 1);
        return (int) INT.getVolatile(buffer, STATE);
    }

    /** Whether the child announced it blocks on its doorbell (volatile read; for diagnostics and tests). */
    boolean isChildWaiting() {
        return (int) INT.getVolatile(buffer, CHILD_WAITING) != 0;
    }

    /** The parent woke up: publishers need not ring any more. */
    public void parentAwake() {
        INT.setRelease(buffer, PARENT_WAITING, 0);
    }

    /** The error word of the last TASK_DONE; valid after {@link #state()} returned TASK_DONE. */
    public int error() {
        return buffer.getInt(ERROR);
    }

    /** The error text of the last TASK_DONE, empty when there is none. */
    public String errorText() {
        int length = Math.max(0, Math.min(ERROR_TEXT_BYTES, buffer.getInt(ERROR_TEXT_LENGTH)));
        byte[] bytes = new byte[length];
        errorText.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The heartbeat counter (volatile read); it moves while the child lives and is not frozen. */
    public long heartbeat() {
        return (long) LONG.getVolatile(buffer, HEARTBEAT);
    }

    /** The child's pid once it is ready (acquire), 0 before: the ready handshake. */
    public long readyPid() {
        return (long) LONG.getAcquire(buffer, CHILD_PID);
    }

    // ---- child side --------------------------------------------------------------------------------------

    /** The child is about to block on its doorbell: announces it, then returns the state (volatile read). */
    public int childSleeps() {
        INT.setVolatile(buffer, CHILD_WAITING, 1);
        return (int) INT.getVolatile(buffer, STATE);
    }

    /** The child woke up. */
    public void childAwake() {
        INT.setRelease(buffer, CHILD_WAITING, 0);
    }

    /** Publishes the ready handshake: kernels are loaded, memory is attached, tasks may come. */
    public void markReady(long pid) {
        LONG.setRelease(buffer, CHILD_PID, pid);
    }

    /** Bumps the heartbeat; called by the child's heartbeat thread only. */
    public void beat() {
        LONG.setRelease(buffer, HEARTBEAT, (long) LONG.getVolatile(buffer, HEARTBEAT) + 1);
    }

    /** The posted callable id; valid after {@link #state()} returned TASK_READY. */
    public long callable() {
        return buffer.getLong(CALLABLE);
    }

    /**
     * The posted launch configuration.
     *
     * @throws IllegalArgumentException if the words do not form a valid {@link CallConfig}
     */
    public CallConfig config() {
        return new CallConfig(buffer.getInt(BLOCK_DIM), buffer.getInt(AICPU_THREADS), buffer.getInt(PROFILING) != 0);
    }

    /** The posted group member index. */
    public int groupIndex() {
        return buffer.getInt(GROUP_INDEX);
    }

    /**
     * The posted args, decoded.
     *
     * @throws IllegalArgumentException if the blob is malformed
     */
    public TaskArgsView args() {
        args.clear();
        return TaskArgsBlob.read(args);
    }

    /**
     * The posted args, with the tags after the blob when {@code withTags} (a {@link TaskArgsSnapshot} whose
     * {@link TaskArgsSnapshot#tags()} are null when the parent did not know them).
     *
     * @throws IllegalArgumentException if the blob or the tags are malformed
     */
    public TaskArgsView args(boolean withTags) {
        if (!withTags) {
            return args();
        }
        args.clear();
        TaskArgsSnapshot view = TaskArgsSnapshot.of(TaskArgsBlob.read(args));
        args.clear().position(TaskArgsBlob.encodedSize(view));
        try {
            int count = args.getInt();
            if (count < 0) {
                return view;
            }
            if (count != view.tensorCount()) {
                throw new IllegalArgumentException(count + " tags for " + view.tensorCount() + " tensors");
            }
            List<TensorArgType> tags = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                tags.add(TAGS[args.get()]);
            }
            return new TaskArgsSnapshot(view.tensors(), view.scalars(), tags);
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("the tags after the args blob do not decode: " + e, e);
        }
    }

    /** Bytes the tags of {@code tensors} tensors take after the blob. */
    static int tagBytes(int tensors) {
        return Integer.BYTES + tensors;
    }

    /**
     * Writes the outcome and publishes TASK_DONE; {@code text} is cut to 4096 UTF-8 bytes on a character
     * boundary, marked {@code ...[truncated]}.
     *
     * @return whether the parent is blocked (or about to block) on its doorbell and must be rung
     */
    public boolean complete(int error, String text) {
        int length = 0;
        if (text != null && !text.isEmpty()) {
            length = writeBounded(text);
        }
        buffer.putInt(ERROR_TEXT_LENGTH, length);
        buffer.putInt(ERROR, error);
        return publish(TASK_DONE, PARENT_WAITING);
    }

    /** Volatile store of the state, then a volatile load of the peer's waiting word (see the class comment). */
    private boolean publish(int state, int peerWaiting) {
        INT.setVolatile(buffer, STATE, state);
        return (int) INT.getVolatile(buffer, peerWaiting) != 0;
    }

    private int writeBounded(String text) {
        ByteBuffer out = errorText.duplicate().clear();
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        boolean overflow = encoder.encode(CharBuffer.wrap(text), out, true).isOverflow();
        if (!overflow) {
            encoder.flush(out);
            return out.position();
        }
        out.clear().limit(ERROR_TEXT_BYTES - TRUNCATED_BYTES.length);
        encoder.reset().encode(CharBuffer.wrap(text), out, true); // overflows again, at a char boundary
        out.limit(ERROR_TEXT_BYTES).put(TRUNCATED_BYTES);
        return out.position();
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------

    /**
     * Unmaps the mailbox and, on the instance that created it, deletes the file; idempotent. No field may be
     * touched afterwards.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        MappedFile.unmap(buffer);
        if (owner) {
            MappedFile.deleteQuietly(file);
        }
    }

    @Override
    public String toString() {
        return "Mailbox[" + file + ", " + size() + " bytes" + (closed ? ", closed" : ", state " + state()) + "]";
    }

    private static MappedByteBuffer map(Path file, int size, boolean setLength) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            if (setLength) {
                raf.setLength(size);
            }
            return MappedFile.map(raf.getChannel(), 0, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map mailbox file " + file, e);
        }
    }
}
