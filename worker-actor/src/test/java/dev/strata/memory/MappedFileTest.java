package dev.strata.memory;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MappedFileTest {

    @TempDir
    Path dir;

    @Test
    void createMakesAnEmptyFileOnlyItsOwnerCanReadOrWrite() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "no POSIX permissions");

        Path file = MappedFile.createOwnerOnly(dir.resolve("a.mem"));

        assertEquals(0, Files.size(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void createRefusesAnExistingFileAndAMissingDirectory() throws Exception {
        Path file = MappedFile.createOwnerOnly(dir.resolve("a.mem"));

        assertThrows(FileAlreadyExistsException.class, () -> MappedFile.createOwnerOnly(file));
        assertThrows(NoSuchFileException.class, () -> MappedFile.createOwnerOnly(dir.resolve("no/such.mem")));
    }

    @Test
    void twoMappingsOfOneFileShareBytesLittleEndian() throws Exception {
        Path file = MappedFile.createOwnerOnly(dir.resolve("a.mem"));
        try (RandomAccessFile first = new RandomAccessFile(file.toFile(), "rw");
             RandomAccessFile second = new RandomAccessFile(file.toFile(), "rw")) {
            first.setLength(8192);
            MappedByteBuffer whole = MappedFile.map(first.getChannel(), 0, 8192);
            MappedByteBuffer tail = MappedFile.map(second.getChannel(), 4096, 4096);

            whole.putInt(4096 + 8, 0x01020304);

            assertEquals(ByteOrder.LITTLE_ENDIAN, tail.order());
            assertEquals(0x01020304, tail.getInt(8), "the second mapping starts at file offset 4096");
            assertEquals(0x04, tail.get(8), "little-endian");
            MappedFile.unmap(whole);
            MappedFile.unmap(tail);
        }
    }

    @Test
    void mappingAboveTheIntLimitIsRejectedNamingTheSize() throws Exception {
        Path file = MappedFile.createOwnerOnly(dir.resolve("a.mem"));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long tooLarge = MappedFile.MAX_MAPPING + 1;

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MappedFile.map(raf.getChannel(), 0, tooLarge));

            assertTrue(e.getMessage().contains(String.valueOf(tooLarge)), e.getMessage());
            assertEquals(0, Files.size(file), "nothing was mapped, so the file did not grow");
        }
    }

    @Test
    void unmapReleasesTheMappingAtOnce() throws Exception {
        Path maps = Path.of("/proc/self/maps");
        assumeTrue(Files.isReadable(maps), "needs Linux /proc to see mappings");
        Path file = MappedFile.createOwnerOnly(dir.resolve("unmapped-at-once.mem"));
        MappedByteBuffer buffer;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(4096);
            buffer = MappedFile.map(raf.getChannel(), 0, 4096);
        }
        assertTrue(Files.readString(maps).contains(file.getFileName().toString()), "mapped");

        MappedFile.unmap(buffer);

        assertFalse(Files.readString(maps).contains(file.getFileName().toString()), "still mapped after unmap");
    }

    @Test
    void deleteQuietlyDeletesAndIgnoresWhatItCannotDelete() throws Exception {
        Path file = MappedFile.createOwnerOnly(dir.resolve("a.mem"));
        Path fullDirectory = Files.createDirectory(dir.resolve("full"));
        Files.createFile(fullDirectory.resolve("keeps-it-non-empty"));

        MappedFile.deleteQuietly(file);

        assertFalse(Files.exists(file));
        assertDoesNotThrow(() -> MappedFile.deleteQuietly(file), "already gone");
        assertDoesNotThrow(() -> MappedFile.deleteQuietly(fullDirectory), "a non-empty directory cannot go");
        assertTrue(Files.exists(fullDirectory));
    }

    @Test
    void requireSpaceNamesDirectoryBothCountsAndTheRemedy() {
        long usable = MappedFile.usableSpace(dir);
        assertTrue(usable > 0, "the temp directory reports its free space");
        assertDoesNotThrow(() -> MappedFile.requireSpace(dir, 1, "x", "y"));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MappedFile.requireSpace(dir, Long.MAX_VALUE, "tensor memory", "choose another directory"));

        assertTrue(e.getMessage().startsWith("directory " + dir + " has "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" usable bytes but tensor memory needs " + Long.MAX_VALUE
                + "; choose another directory"), e.getMessage());
    }

    @Test
    void usableSpaceOfAMissingDirectoryIsZero() {
        assertEquals(0, MappedFile.usableSpace(dir.resolve("missing")));
    }
}
