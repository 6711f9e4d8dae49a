package dev.strata.memory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The file behind one {@link SharedTensorMemory}, from creation to deletion: its name and directory, the two
 * mapped regions (the user arena at file offset 0, the heap region right after it), the shutdown hook that
 * deletes it if the JVM exits without {@link #close()}, and the cleanup of files left by killed JVMs.
 *
 * <p>{@link SharedTensorMemory} closes it once; {@link #unlink()} may run on any thread, before or during that.
 */
final class TensorMemoryFile {

    /** Smallest region size accepted. */
    static final long MIN_REGION = 1024;

    /** Largest region size accepted: one region is one {@link MappedFile#map mapping}, less 1 KiB of rounding. */
    static final long MAX_REGION = MappedFile.MAX_MAPPING - 1023L;

    private static final long PAGE = 4096;
    private static final Path DEV_SHM = Path.of("/dev/shm");
    private static final String NAME_PATTERN = "strata-\\d+-[0-9a-f]+\\.mem";

    final Path file;
    /** Whether this process created the file (and so deletes it); an attached mapping only unmaps. */
    final boolean owner;
    final MappedByteBuffer arena;
    final MappedByteBuffer heap;
    /** Deletes the file at JVM exit; {@code null} when attached. */
    private final Thread deleteOnExit;
    /** Whether the owner has deleted the file already; the mapping outlives the name. */
    private boolean unlinked;

    private TensorMemoryFile(Path file, boolean owner, MappedByteBuffer arena, MappedByteBuffer heap,
                             Thread deleteOnExit) {
        this.file = file;
        this.owner = owner;
        this.arena = arena;
        this.heap = heap;
        this.deleteOnExit = deleteOnExit;
    }

    /** See {@link SharedTensorMemory#create}: same arguments, same exceptions. */
    static TensorMemoryFile create(Path dirOrNull, long arenaSize, long heapSize) {
        long arenaBytes = regionSize("arena", arenaSize);
        long heapBytes = regionSize("heap", heapSize);
        long total = arenaBytes + heapBytes;
        boolean useDefault = dirOrNull == null || dirOrNull.toString().isEmpty();
        Path dir = useDefault ? defaultDirectory(total) : dirOrNull;
        removeOrphans(dir);
        // Also for the tmpdir fallback: a short file system SIGBUSes later.
        MappedFile.requireSpace(dir, total, "tensor memory",
                "choose another strata.worker.memory-dir or smaller sizes");
        Path file = createFile(dir);
        Thread hook = new Thread(() -> MappedFile.deleteQuietly(file), "strata-memory-cleanup");
        // Registered before mapping so that even a failure half-way leaves no file behind at exit.
        Runtime.getRuntime().addShutdownHook(hook);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(total);
            FileChannel channel = raf.getChannel();
            MappedByteBuffer arena = MappedFile.map(channel, 0, arenaBytes);
            MappedByteBuffer heap = MappedFile.map(channel, arenaBytes, heapBytes);
            return new TensorMemoryFile(file, true, arena, heap, hook);
        } catch (IOException e) {
            removeHook(hook);
            MappedFile.deleteQuietly(file);
            throw new UncheckedIOException("cannot map tensor memory file " + file, e);
        } catch (RuntimeException e) {
            removeHook(hook);
            MappedFile.deleteQuietly(file);
            throw e;
        }
    }

    /** See {@link SharedTensorMemory#attach}: same arguments, same exceptions. */
    static TensorMemoryFile attach(Path file, long arenaSize, long heapSize) {
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
            MappedByteBuffer arena = MappedFile.map(channel, 0, arenaBytes);
            MappedByteBuffer heap = MappedFile.map(channel, arenaBytes, heapBytes);
            return new TensorMemoryFile(file, false, arena, heap, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot attach tensor memory file " + file, e);
        }
    }

    /**
     * Where {@link #create} puts the file when no directory is given: {@code /dev/shm} when it is a writable
     * directory with room for {@code bytes}, so the mapping lives in RAM; otherwise {@code java.io.tmpdir}.
     */
    static Path defaultDirectory(long bytes) {
        if (Files.isDirectory(DEV_SHM) && Files.isWritable(DEV_SHM) && MappedFile.usableSpace(DEV_SHM) >= bytes) {
            return DEV_SHM;
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * Unmaps both regions and, when this process created the file, deletes it (unless {@link #unlink()} did) and
     * drops the shutdown hook. Call once, after the last use of any buffer from either region.
     *
     * @throws UncheckedIOException when the file cannot be deleted (the mapping is gone regardless)
     */
    void close() {
        MappedFile.unmap(arena);
        MappedFile.unmap(heap);
        if (owner) {
            unlink();
        }
    }

    /**
     * Deletes the file now and drops the shutdown hook, leaving both regions mapped: the pages live on until
     * they are unmapped, but no other process can attach any more, and nothing is left behind if this JVM is
     * killed. Idempotent; the owner's only (an attached mapping never deletes the file).
     *
     * @throws UncheckedIOException when the file cannot be deleted
     */
    synchronized void unlink() {
        if (unlinked) {
            return;
        }
        unlinked = true;
        removeHook(deleteOnExit);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete tensor memory file " + file, e);
        }
    }

    /** Whether {@link #unlink()} (or close) has deleted the file. */
    synchronized boolean isUnlinked() {
        return unlinked;
    }

    /**
     * Validates a region size and rounds it up to a whole page; a size so close to the int limit that a whole
     * page would not fit one mapping is rounded to 1 KiB instead (still 64-byte aligned).
     */
    static long regionSize(String name, long size) {
        if (size < MIN_REGION || size > MAX_REGION) {
            throw new IllegalArgumentException(name + " size " + size + " must be between " + MIN_REGION + " and "
                    + MAX_REGION + " bytes");
        }
        long paged = roundUp(size, PAGE);
        return paged <= MappedFile.MAX_MAPPING ? paged : roundUp(size, MIN_REGION);
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    /**
     * Deletes memory files of Strata JVMs that no longer run (killed with SIGKILL, so no shutdown hook ran):
     * their name carries the creator's pid. Best effort; a file another user owns is left alone.
     */
    private static void removeOrphans(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().matches(NAME_PATTERN))
                    .filter(f -> {
                        long pid = Long.parseLong(f.getFileName().toString().split("-")[1]);
                        return ProcessHandle.of(pid).isEmpty();
                    })
                    .forEach(MappedFile::deleteQuietly);
        } catch (IOException | RuntimeException e) {
            // Cleanup of others' leftovers must never stop this engine from starting.
        }
    }

    /** A new owner-only file {@code strata-<pid>-<random hex>.mem}: the pid lets {@link #removeOrphans} work. */
    private static Path createFile(Path dir) {
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            String random = Long.toHexString(ThreadLocalRandom.current().nextLong());
            Path file = dir.resolve("strata-" + pid + "-" + random + ".mem");
            try {
                return MappedFile.createOwnerOnly(file);
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

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to; it deletes the file itself.
        }
    }
}
