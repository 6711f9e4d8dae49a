package dev.strata.memory;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TensorMemory;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * The shared tensor memory of one node: one file mapping that holds the user arena (served by
 * {@link #allocate}) followed by the heap ring region (carved up by the runtime's heap ring).
 *
 * <p>Tensor addresses are synthetic: the arena occupies {@code [BASE, BASE + arenaSize())} and the heap region
 * {@code [heapBase(), heapBase() + heapSize())}. Because the addresses are derived from file offsets rather than
 * from where the OS happens to map the file, a child JVM that {@link #attach attaches} to the same file sees the
 * same bytes at the same addresses.
 *
 * <p>Thread-safe. The arena allocator ({@link FirstFitArena}, called under this instance's lock) lives in the
 * creating instance only; an attached instance reads and writes but does not allocate, so two allocators never
 * hand out the same range of one file. The file itself (name, mapping, shutdown hook, deletion) is
 * {@link TensorMemoryFile}'s.
 *
 * <p>{@link #close()} unmaps the file at once, so it must only be called once no worker uses the memory and no
 * buffer obtained from it is touched again: touching an unmapped buffer crashes the JVM.
 */
public final class SharedTensorMemory implements TensorMemory, AutoCloseable {

    /** Address of the first arena byte; high enough that no real tensor address is ever 0 or looks small. */
    public static final long BASE = 0x10_0000_0000L;

    /** Alignment of every arena allocation, and the smallest block one allocation occupies. */
    public static final int ALIGNMENT = FirstFitArena.ALIGNMENT;

    /** Smallest region size accepted by {@link #create} and {@link #attach}. */
    public static final long MIN_REGION = TensorMemoryFile.MIN_REGION;

    /** Largest region size accepted: one region is one {@link MappedFile#map mapping}, less 1 KiB of rounding. */
    public static final long MAX_REGION = TensorMemoryFile.MAX_REGION;

    private static final byte[] ZEROS = new byte[64 * 1024];

    private final TensorMemoryFile mapping;
    private final Path file;
    private final boolean owner;
    private final long arenaSize;
    private final long heapSize;
    private final MappedByteBuffer arena;
    private final MappedByteBuffer heap;

    /** Guards the allocator and the transition to closed, so nothing is allocated or freed after close. */
    private final Object lock = new Object();
    /** Allocates arena addresses; {@code null} on an attached instance. */
    private final FirstFitArena allocator;
    private volatile boolean closed;

    private SharedTensorMemory(TensorMemoryFile mapping) {
        this.mapping = mapping;
        this.file = mapping.file;
        this.owner = mapping.owner;
        this.arena = mapping.arena;
        this.heap = mapping.heap;
        this.arenaSize = arena.capacity();
        this.heapSize = heap.capacity();
        this.allocator = owner ? new FirstFitArena(BASE, arenaSize) : null;
    }

    /**
     * Creates a new memory file {@code strata-<pid>-<random hex>.mem} and maps it; the file is deleted by
     * {@link #unlink()} or {@link #close()} and, where the JVM still runs its shutdown hooks, at exit. Files of Strata JVMs that no
     * longer run are deleted from the directory first.
     *
     * @param dirOrNull directory of the file; {@code null} or empty picks {@code /dev/shm} when it is a writable
     *                  directory with room for both regions, so the mapping lives in RAM, else
     *                  {@code java.io.tmpdir}
     * @param arenaSize bytes of the user arena, {@link #MIN_REGION}..{@link #MAX_REGION}, rounded up to 4 KiB
     * @param heapSize  bytes of the heap ring region, same range and rounding
     * @throws IllegalArgumentException naming a size out of range
     * @throws IllegalStateException    when the directory has too little free space for both regions
     * @throws UncheckedIOException     when the file cannot be created or mapped
     */
    public static SharedTensorMemory create(Path dirOrNull, long arenaSize, long heapSize) {
        return new SharedTensorMemory(TensorMemoryFile.create(dirOrNull, arenaSize, heapSize));
    }

    /**
     * Maps an existing memory file made by {@link #create} in another process (or this one). The sizes must be
     * the ones it was created with; the attached instance reads and writes tensors but neither allocates from
     * the arena nor deletes the file.
     *
     * @throws IllegalArgumentException naming a size out of range, a missing file, or a file length that does not
     *                                  match the sizes
     * @throws UncheckedIOException     when the file cannot be mapped
     */
    public static SharedTensorMemory attach(Path file, long arenaSize, long heapSize) {
        return new SharedTensorMemory(TensorMemoryFile.attach(file, arenaSize, heapSize));
    }

    /** Where the memory file is, or was: the path stays valid after {@link #unlink()} and {@link #close()}. */
    public Path file() {
        return file;
    }

    /** Bytes of the user arena after rounding; the arena starts at {@link #BASE}. */
    public long arenaSize() {
        return arenaSize;
    }

    /** Address of the first heap-region byte: right after the arena. */
    public long heapBase() {
        return BASE + arenaSize;
    }

    /** Bytes of the heap ring region after rounding. */
    public long heapSize() {
        return heapSize;
    }

    /**
     * A zero-filled tensor from the user arena, 64-byte aligned; a zero-byte tensor still gets its own address.
     *
     * @throws IllegalArgumentException for an invalid dtype or shape
     * @throws IllegalStateException    when the arena has no free block large enough, or on an attached instance
     */
    @Override
    public ContinuousTensor allocate(DataType dtype, int... shape) {
        ensureOpen();
        ContinuousTensor tensor = ContinuousTensor.of(0, dtype, shape);
        requireOwner("allocate");
        long nbytes = tensor.nbytes();
        long address;
        synchronized (lock) {
            ensureOpen();
            address = allocator.allocate(nbytes);
        }
        // Reused blocks hold the previous tensor's bytes; zeroing outside the lock keeps allocation concurrent.
        zero(arena.slice((int) (address - BASE), (int) nbytes));
        return tensor.withData(address);
    }

    /**
     * Returns a tensor obtained from {@link #allocate} on this instance to the arena; neighbouring free blocks
     * merge so a large tensor fits again once its neighbours are gone.
     *
     * @throws IllegalArgumentException naming the address in hex when it was not allocated, is already freed, or
     *                                  lies in the heap region or outside the memory
     */
    @Override
    public void free(ContinuousTensor t) {
        ensureOpen();
        Objects.requireNonNull(t, "tensor");
        requireOwner("free");
        long address = t.data();
        if (within(address, 1, heapBase(), heapSize)) {
            throw new IllegalArgumentException("cannot free " + hex(address) + ": heap address, owned by the "
                    + "runtime's heap ring; only tensors from allocate() can be freed");
        }
        if (!within(address, 1, BASE, arenaSize)) {
            throw new IllegalArgumentException("cannot free " + hex(address) + ": not allocated, outside the "
                    + "node's tensor memory " + ranges());
        }
        synchronized (lock) {
            ensureOpen();
            allocator.free(address);
        }
    }

    /**
     * A little-endian view of exactly {@code nbytes} of the tensor, for a tensor anywhere in the arena or the
     * heap region.
     *
     * @throws IllegalArgumentException naming the address in hex when the tensor is not entirely inside one region
     */
    @Override
    public ByteBuffer bytes(ContinuousTensor t) {
        ensureOpen();
        Objects.requireNonNull(t, "tensor");
        return view(t.data(), t.nbytes());
    }

    /**
     * A float view of a FLOAT32 tensor.
     *
     * @throws IllegalArgumentException naming the dtype when it is not FLOAT32, or the address when out of range
     */
    @Override
    public FloatBuffer floats(ContinuousTensor t) {
        ensureOpen();
        requireDtype(t, "floats", DataType.FLOAT32);
        return view(t.data(), t.nbytes()).asFloatBuffer();
    }

    /**
     * An int view of an INT32 tensor.
     *
     * @throws IllegalArgumentException naming the dtype when it is not INT32, or the address when out of range
     */
    @Override
    public IntBuffer ints(ContinuousTensor t) {
        ensureOpen();
        requireDtype(t, "ints", DataType.INT32);
        return view(t.data(), t.nbytes()).asIntBuffer();
    }

    /**
     * A long view of an INT64 or UINT64 tensor (UINT64 values above {@code Long.MAX_VALUE} read as negative).
     *
     * @throws IllegalArgumentException naming the dtype when it is neither, or the address when out of range
     */
    @Override
    public LongBuffer longs(ContinuousTensor t) {
        ensureOpen();
        requireDtype(t, "longs", DataType.INT64, DataType.UINT64);
        return view(t.data(), t.nbytes()).asLongBuffer();
    }

    /**
     * Copies exactly numel floats into a FLOAT32 tensor.
     *
     * @throws IllegalArgumentException naming the dtype when it is not FLOAT32, both counts when
     *                                  {@code values.length != numel}, or the address when out of range
     */
    @Override
    public void write(ContinuousTensor t, float[] values) {
        ensureOpen();
        requireDtype(t, "write", DataType.FLOAT32);
        Objects.requireNonNull(values, "values");
        if (values.length != t.numel()) {
            throw new IllegalArgumentException("write got " + values.length + " values for " + t + " with numel "
                    + t.numel());
        }
        view(t.data(), t.nbytes()).asFloatBuffer().put(values);
    }

    /**
     * Copies a FLOAT32 tensor out.
     *
     * @throws IllegalArgumentException naming the dtype when it is not FLOAT32, or the address when out of range
     */
    @Override
    public float[] readFloats(ContinuousTensor t) {
        ensureOpen();
        requireDtype(t, "readFloats", DataType.FLOAT32);
        FloatBuffer source = view(t.data(), t.nbytes()).asFloatBuffer();
        float[] values = new float[source.remaining()];
        source.get(values);
        return values;
    }

    /**
     * Unmaps both regions and, on the instance that created the file, deletes it; idempotent. Afterwards every
     * memory operation throws {@code IllegalStateException("tensor memory is closed")}. Call it only once no
     * worker uses the memory: a buffer obtained earlier must not be touched after close.
     *
     * @throws UncheckedIOException when the file cannot be deleted (the mapping is gone regardless)
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        mapping.close();
    }

    /**
     * Deletes the memory file now, keeping the memory mapped and usable: on Linux a mapped file's pages live until
     * the last mapping goes, so this process (and any process already attached) keeps its bytes, while no new
     * process can {@link #attach} and nothing is left behind if the JVM is killed. Idempotent; {@link #close()}
     * still unmaps. Safe on any thread at any time, unlike close.
     *
     * @throws IllegalStateException on an attached instance: only the creator deletes the file
     * @throws UncheckedIOException  when the file cannot be deleted
     */
    public void unlink() {
        requireOwner("unlink");
        mapping.unlink();
    }

    /** The file, both regions as address ranges, who owns the file, and whether it is unlinked or closed. */
    @Override
    public String toString() {
        return "SharedTensorMemory[file=" + file + ", arena=" + arenaSize + " bytes " + range(BASE, arenaSize)
                + ", heap=" + heapSize + " bytes " + range(heapBase(), heapSize)
                + (owner ? ", created" : ", attached") + (owner && mapping.isUnlinked() ? ", unlinked" : "")
                + (closed ? ", closed" : "") + "]";
    }

    // ---- views -------------------------------------------------------------------------------------------

    private ByteBuffer view(long address, long length) {
        if (within(address, length, BASE, arenaSize)) {
            return slice(arena, address - BASE, length);
        }
        if (within(address, length, heapBase(), heapSize)) {
            return slice(heap, address - heapBase(), length);
        }
        if (within(address, 1, BASE, arenaSize) && within(address, length, BASE, arenaSize + heapSize)) {
            throw new IllegalArgumentException("address " + hex(address) + " + " + length + " bytes straddles the "
                    + "boundary between the user arena and the heap region at " + hex(heapBase()) + "; valid "
                    + ranges());
        }
        throw new IllegalArgumentException("address " + hex(address) + " + " + length + " bytes is outside the "
                + "node's tensor memory " + ranges());
    }

    private static ByteBuffer slice(MappedByteBuffer region, long offset, long length) {
        // Absolute slicing never touches the shared buffer's position, so concurrent callers need no lock.
        return region.slice((int) offset, (int) length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void zero(ByteBuffer target) {
        while (target.hasRemaining()) {
            target.put(ZEROS, 0, Math.min(ZEROS.length, target.remaining()));
        }
    }

    // ---- checks ------------------------------------------------------------------------------------------

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tensor memory is closed");
        }
    }

    private void requireOwner(String operation) {
        if (!owner) {
            throw new IllegalStateException(operation + " is not available on tensor memory attached to " + file
                    + ": the arena allocator lives in the process that created the file");
        }
    }

    private static void requireDtype(ContinuousTensor t, String operation, DataType... accepted) {
        Objects.requireNonNull(t, "tensor");
        for (DataType dtype : accepted) {
            if (t.dtype() == dtype) {
                return;
            }
        }
        String expected = String.join(" or ", Arrays.stream(accepted).map(Enum::name).toArray(String[]::new));
        throw new IllegalArgumentException(operation + "() needs a " + expected + " tensor, got dtype " + t.dtype()
                + " for " + t);
    }

    private static boolean within(long address, long length, long start, long size) {
        // Written as differences so that addresses near Long.MAX_VALUE cannot overflow.
        return address >= start && address - start < size && length <= size - (address - start);
    }

    private String ranges() {
        return "(user arena " + range(BASE, arenaSize) + ", heap region " + range(heapBase(), heapSize) + ")";
    }

    private static String range(long start, long size) {
        return "[" + hex(start) + ", " + hex(start + size) + ")";
    }

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }
}
