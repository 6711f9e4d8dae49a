package dev.strata.memory;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The file steps shared by every memory-mapped file the runtime makes ({@link SharedTensorMemory} and the
 * process mode's mailbox): create it owner-only, check the file system has room, map a range read-write,
 * unmap it at once, and delete it without letting a failure stop a cleanup.
 */
public final class MappedFile {

    /** Largest range {@link #map} accepts: a Java 17 {@link MappedByteBuffer} is int-indexed. */
    public static final long MAX_MAPPING = Integer.MAX_VALUE;

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final Unmapper UNMAPPER = Unmapper.load();

    private MappedFile() {
    }

    /**
     * Creates a new empty file readable and writable by its owner only (where the file system has POSIX
     * permissions): mapped files hold user data, and child processes run as the same user.
     *
     * @throws java.nio.file.FileAlreadyExistsException when the file exists
     * @throws java.nio.file.NoSuchFileException         when the directory does not exist
     * @throws IOException                               when it cannot be created for another reason
     */
    public static Path createOwnerOnly(Path file) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        return posix ? Files.createFile(file, OWNER_ONLY) : Files.createFile(file);
    }

    /**
     * Fails unless {@code dir}'s file system has {@code bytes} usable: a sparse file on a full tmpfs maps fine
     * but crashes the JVM (SIGBUS) on first touch, so the check fails while the error is still clear.
     *
     * @param what   what needs the space, for the message ("tensor memory")
     * @param remedy what the user can do, for the message
     * @throws IllegalStateException naming the directory, both byte counts and the remedy
     */
    public static void requireSpace(Path dir, long bytes, String what, String remedy) {
        long usable = usableSpace(dir);
        if (usable < bytes) {
            throw new IllegalStateException("directory " + dir + " has " + usable + " usable bytes but " + what
                    + " needs " + bytes + "; " + remedy);
        }
    }

    /** Usable bytes of {@code dir}'s file system; 0 when it cannot be asked. */
    public static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Maps {@code [position, position + size)} of the channel's file read-write, little-endian.
     *
     * @throws IllegalArgumentException when {@code size} is negative or above {@link #MAX_MAPPING}
     * @throws IOException              when the mapping fails
     */
    public static MappedByteBuffer map(FileChannel channel, long position, long size) throws IOException {
        if (size < 0 || size > MAX_MAPPING) {
            throw new IllegalArgumentException("cannot map " + size + " bytes: one mapping holds 0.." + MAX_MAPPING);
        }
        MappedByteBuffer buffer = channel.map(FileChannel.MapMode.READ_WRITE, position, size);
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        return buffer;
    }

    /**
     * Releases a mapping now rather than whenever the GC collects the buffer, so a deleted file's pages are
     * freed at once. The buffer, and every view of it, must never be touched again: that crashes the JVM.
     */
    public static void unmap(MappedByteBuffer buffer) {
        UNMAPPER.unmap(buffer);
    }

    /** Deletes the file if it exists; a failure is ignored (best effort at exit or after a failed create). */
    public static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // Nothing better to do with the error here; tests that look for leftover files report them.
        }
    }

    /** {@code Unsafe.invokeCleaner}, looked up once; without it the GC's cleaner unmaps later all the same. */
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
