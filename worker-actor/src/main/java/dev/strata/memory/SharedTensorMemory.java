package dev.strata.memory;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TensorMemory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The shared tensor memory of one node: one file mapping that holds the user arena (served by
 * {@link #allocate}) followed by the heap ring region (carved up by the runtime's heap ring).
 *
 * <p>Tensor addresses are synthetic: the arena occupies {@code [BASE, BASE + arenaSize())} and the heap region
 * {@code [heapBase(), heapBase() + heapSize())}. Because the addresses are derived from file offsets rather than
 * from where the OS happens to map the file, a child JVM that {@link #attach attaches} to the same file sees the
 * same bytes at the same addresses.
 *
 * <p>Thread-safe. The arena allocator lives in the creating instance only; an attached instance reads and writes
 * but does not allocate, so two allocators never hand out the same range of one file.
 *
 * <p>{@link #close()} unmaps the file at once, so it must only be called once no worker uses the memory and no
 * buffer obtained from it is touched again: touching an unmapped buffer crashes the JVM.
 */
public final class SharedTensorMemory implements TensorMemory, AutoCloseable {

    /** Address of the first arena byte; high enough that no real tensor address is ever 0 or looks small. */
    public static final long BASE = 0x10_0000_0000L;

    /** Alignment of every arena allocation, and the smallest block one allocation occupies. */
    public static final int ALIGNMENT = 64;

    /** Smallest region size accepted by {@link #create} and {@link #attach}. */
    public static final long MIN_REGION = 1024;

    /** Largest region size accepted: a Java 17 {@link MappedByteBuffer} is int-indexed. */
    public static final long MAX_REGION = Integer.MAX_VALUE - 1023L;

    private static final long PAGE = 4096;
    private static final Path DEV_SHM = Path.of("/dev/shm");
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final byte[] ZEROS = new byte[64 * 1024];
    private static final Unmapper UNMAPPER = Unmapper.load();

    private final Path file;
    private final boolean owner;
    private final long arenaSize;
    private final long heapSize;
    private final MappedByteBuffer arena;
    private final MappedByteBuffer heap;
    private final Thread deleteOnExit;

    /** Guards the allocator maps and the transition to closed. */
    private final Object lock = new Object();
    /** Free arena ranges: offset -> length, never adjacent (freeing coalesces). */
    private final TreeMap<Long, Long> freeRanges = new TreeMap<>();
    /** Live arena allocations: offset -> reserved length. */
    private final TreeMap<Long, Long> allocated = new TreeMap<>();
    /** Offsets freed and not handed out again since, so a second free can be called a double free. */
    private final TreeSet<Long> freedOffsets = new TreeSet<>();
    private volatile boolean closed;

    private SharedTensorMemory(Path file, boolean owner, long arenaSize, long heapSize, MappedByteBuffer arena,
                               MappedByteBuffer heap, Thread deleteOnExit) {
        this.file = file;
        this.owner = owner;
        this.arenaSize = arenaSize;
        this.heapSize = heapSize;
        this.arena = arena;
        this.heap = heap;
        this.deleteOnExit = deleteOnExit;
        freeRanges.put(0L, arenaSize);
    }

    /**
     * Creates a new memory file {@code strata-<pid>-<random hex>.mem} and maps it; the file is deleted by
     * {@link #close()} and, where the JVM still runs its shutdown hooks, at exit.
     *
     * @param dirOrNull directory of the file; {@code null} or empty picks {@link #defaultDirectory(long)}
     * @param arenaSize bytes of the user arena, {@link #MIN_REGION}..{@link #MAX_REGION}, rounded up to 4 KiB
     * @param heapSize  bytes of the heap ring region, same range and rounding
     * @throws IllegalArgumentException naming a size out of range
     * @throws IllegalStateException    when the directory has too little free space for both regions
     * @throws UncheckedIOException     when the file cannot be created or mapped
     */
    public static SharedTensorMemory create(Path dirOrNull, long arenaSize, long heapSize) {
        long arenaBytes = regionSize("arena", arenaSize);
        long heapBytes = regionSize("heap", heapSize);
        long total = arenaBytes + heapBytes;
        boolean useDefault = dirOrNull == null || dirOrNull.toString().isEmpty();
        Path dir = useDefault ? defaultDirectory(total) : dirOrNull;
        removeOrphans(dir);
        checkSpace(dir, total); // also for the tmpdir fallback: a short file system SIGBUSes later
        Path file = createFile(dir);
        Thread hook = new Thread(() -> deleteQuietly(file), "strata-memory-cleanup");
        // Registered before mapping so that even a failure half-way leaves no file behind at exit.
        Runtime.getRuntime().addShutdownHook(hook);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(total);
            FileChannel channel = raf.getChannel();
            MappedByteBuffer arena = map(channel, 0, arenaBytes);
            MappedByteBuffer heap = map(channel, arenaBytes, heapBytes);
            return new SharedTensorMemory(file, true, arenaBytes, heapBytes, arena, heap, hook);
        } catch (IOException e) {
            removeHook(hook);
            deleteQuietly(file);
            throw new UncheckedIOException("cannot map tensor memory file " + file, e);
        } catch (RuntimeException e) {
            removeHook(hook);
            deleteQuietly(file);
            throw e;
        }
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
        Objects.requireNonNull(file, "file");
        long arenaBytes = regionSize("arena", arenaSize);
        long heapBytes = regionSize("heap", heapSize);
        long total = arenaBytes + heapBytes;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no tensor memory file " + file);
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long length = raf.length();
            if (length != total) {
                throw new IllegalArgumentException("tensor memory file " + file + " has " + length
                        + " bytes but arena " + arenaBytes + " + heap " + heapBytes + " needs " + total);
            }
            FileChannel channel = raf.getChannel();
            MappedByteBuffer arena = map(channel, 0, arenaBytes);
            MappedByteBuffer heap = map(channel, arenaBytes, heapBytes);
            return new SharedTensorMemory(file, false, arenaBytes, heapBytes, arena, heap, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot attach tensor memory file " + file, e);
        }
    }

    /**
     * Where {@link #create} puts the file when no directory is given: {@code /dev/shm} when it is a writable
     * directory with room for {@code bytes}, so the mapping lives in RAM; otherwise {@code java.io.tmpdir}.
     */
    public static Path defaultDirectory(long bytes) {
        if (Files.isDirectory(DEV_SHM) && Files.isWritable(DEV_SHM) && usableSpace(DEV_SHM) >= bytes) {
            return DEV_SHM;
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** The memory file; still valid after {@link #close()}. */
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
     * Whether {@code [address, address + length)} lies entirely inside the arena or entirely inside the heap
     * region. Pure address arithmetic, so it also answers after {@link #close()}.
     */
    public boolean contains(long address, long length) {
        return length >= 0
                && (within(address, length, BASE, arenaSize) || within(address, length, heapBase(), heapSize));
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
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
        long offset = reserve(nbytes);
        // Reused blocks hold the previous tensor's bytes; zeroing outside the lock keeps allocation concurrent.
        zero(arena.slice((int) offset, (int) nbytes));
        return tensor.withData(BASE + offset);
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
        release(address - BASE);
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
     * A little-endian view of any {@code length} bytes inside one region; the heap ring uses it for
     * runtime-owned buffers that are not tensors.
     *
     * @throws IllegalArgumentException naming the address in hex when the range is not entirely inside one region
     */
    public ByteBuffer region(long address, long length) {
        ensureOpen();
        return view(address, length);
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
        UNMAPPER.unmap(arena);
        UNMAPPER.unmap(heap);
        if (owner) {
            removeHook(deleteOnExit);
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete tensor memory file " + file, e);
            }
        }
    }

    /** The file, both regions as address ranges, who owns the file, and whether it is closed. */
    @Override
    public String toString() {
        return "SharedTensorMemory[file=" + file + ", arena=" + arenaSize + " bytes " + range(BASE, arenaSize)
                + ", heap=" + heapSize + " bytes " + range(heapBase(), heapSize)
                + (owner ? ", created" : ", attached") + (closed ? ", closed" : "") + "]";
    }

    // ---- allocator (offsets relative to the arena start) -------------------------------------------------

    private long reserve(long nbytes) {
        synchronized (lock) {
            ensureOpen();
            // Compared before rounding so that a huge request cannot overflow the rounding arithmetic.
            long need = nbytes > arenaSize ? nbytes : Math.max(ALIGNMENT, roundUp(nbytes, ALIGNMENT));
            long largest = 0;
            for (Map.Entry<Long, Long> block : freeRanges.entrySet()) {
                long offset = block.getKey();
                long length = block.getValue();
                if (length >= need) {
                    freeRanges.remove(offset);
                    if (length > need) {
                        freeRanges.put(offset + need, length - need);
                    }
                    allocated.put(offset, need);
                    freedOffsets.subSet(offset, offset + need).clear();
                    return offset;
                }
                largest = Math.max(largest, length);
            }
            throw new IllegalStateException("user arena full: requested " + need + " bytes, largest free block "
                    + largest + " of arena-size " + arenaSize + "; raise strata.worker.arena-size");
        }
    }

    private void release(long offset) {
        synchronized (lock) {
            ensureOpen();
            Long length = allocated.remove(offset);
            if (length == null) {
                throw new IllegalArgumentException("cannot free " + hex(BASE + offset) + ": "
                        + whyNotAllocated(offset));
            }
            freedOffsets.add(offset);
            long start = offset;
            long end = offset + length;
            Map.Entry<Long, Long> before = freeRanges.lowerEntry(start);
            if (before != null && before.getKey() + before.getValue() == start) {
                start = before.getKey();
                freeRanges.remove(start);
            }
            Long afterLength = freeRanges.remove(end);
            if (afterLength != null) {
                end += afterLength;
            }
            freeRanges.put(start, end - start);
        }
    }

    private String whyNotAllocated(long offset) {
        if (freedOffsets.contains(offset)) {
            return "double free, the tensor there was already freed";
        }
        Map.Entry<Long, Long> enclosing = allocated.lowerEntry(offset);
        if (enclosing != null && offset < enclosing.getKey() + enclosing.getValue()) {
            return "not allocated, it lies inside the tensor allocated at " + hex(BASE + enclosing.getKey());
        }
        return "not allocated, no tensor from allocate() starts there";
    }

    // ---- views -------------------------------------------------------------------------------------------

    private ByteBuffer view(long address, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length + " at " + hex(address));
        }
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

    // ---- file handling -----------------------------------------------------------------------------------

    /**
     * Validates a region size and rounds it up to a whole page; a size so close to the int limit that a whole
     * page would not fit one buffer is rounded to 1 KiB instead (still 64-byte aligned).
     */
    private static long regionSize(String name, long size) {
        if (size < MIN_REGION || size > MAX_REGION) {
            throw new IllegalArgumentException(name + " size " + size + " must be between " + MIN_REGION + " and "
                    + MAX_REGION + " bytes");
        }
        long paged = roundUp(size, PAGE);
        return paged <= Integer.MAX_VALUE ? paged : roundUp(size, MIN_REGION);
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    /**
     * Deletes memory files of Strata JVMs that no longer run (killed with SIGKILL, so no shutdown hook ran):
     * their name carries the creator's pid. Best effort; a file another user owns is left alone.
     */
    static void removeOrphans(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().matches("strata-\\d+-[0-9a-f]+\\.mem"))
                    .filter(f -> {
                        long pid = Long.parseLong(f.getFileName().toString().split("-")[1]);
                        return ProcessHandle.of(pid).isEmpty();
                    })
                    .forEach(SharedTensorMemory::deleteQuietly);
        } catch (IOException | RuntimeException e) {
            // Cleanup of others' leftovers must never stop this engine from starting.
        }
    }

    private static void checkSpace(Path dir, long total) {
        // A sparse file on a full tmpfs maps fine but SIGBUSes on first touch, so fail while the error is clear.
        long usable = usableSpace(dir);
        if (usable < total) {
            throw new IllegalStateException("directory " + dir + " has " + usable + " usable bytes but tensor "
                    + "memory needs " + total + "; choose another strata.worker.memory-dir or smaller sizes");
        }
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    private static Path createFile(Path dir) {
        long pid = ProcessHandle.current().pid();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        for (int attempt = 0; ; attempt++) {
            String random = Long.toHexString(ThreadLocalRandom.current().nextLong());
            Path file = dir.resolve("strata-" + pid + "-" + random + ".mem");
            try {
                // Owner-only: tensors may hold user data, and children run as the same user.
                return posix ? Files.createFile(file, OWNER_ONLY) : Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw new UncheckedIOException("cannot pick a fresh tensor memory file name in " + dir, e);
                }
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("tensor memory directory " + dir + " does not exist", e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create tensor memory file in " + dir, e);
            }
        }
    }

    private static MappedByteBuffer map(FileChannel channel, long position, long size) throws IOException {
        MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, position, size);
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        return buffer;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; it deletes the file itself.
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // Best effort at exit or after a failed create; nothing better to do with the error here.
        }
    }

    /** Releases a mapping now rather than whenever the GC collects the buffer, so the file's memory is freed. */
    private static final class Unmapper {
        private final Object unsafe;
        private final Method invokeCleaner;

        private Unmapper(Object unsafe, Method invokeCleaner) {
            this.unsafe = unsafe;
            this.invokeCleaner = invokeCleaner;
        }

        static Unmapper load() {
            try {
                Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
                Field field = unsafeClass.getDeclaredField("theUnsafe");
                field.setAccessible(true);
                return new Unmapper(field.get(null), unsafeClass.getMethod("invokeCleaner", ByteBuffer.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return new Unmapper(null, null);
            }
        }

        void unmap(MappedByteBuffer buffer) {
            if (invokeCleaner == null) {
                return;
            }
            try {
                invokeCleaner.invoke(unsafe, buffer);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // Unmapping is an optimisation: the GC's cleaner releases the mapping later all the same.
            }
        }
    }
}
