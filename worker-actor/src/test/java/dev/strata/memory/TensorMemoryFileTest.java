package dev.strata.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TensorMemoryFileTest {

    @TempDir
    Path dir;

    @Test
    void createNamesTheFileAfterThisProcessAndMakesItOwnerOnly() throws Exception {
        TensorMemoryFile created = TensorMemoryFile.create(dir, 4096, 8192);
        try {
            Path file = created.file;
            assertEquals(dir, file.getParent());
            assertTrue(file.getFileName().toString()
                    .matches("strata-" + ProcessHandle.current().pid() + "-[0-9a-f]+\\.mem"), file.toString());
            assertEquals(4096 + 8192, Files.size(file));
            assertTrue(created.owner);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            }
        } finally {
            created.close();
        }
    }

    @Test
    void arenaIsAtFileOffsetZeroAndHeapRightAfterIt() throws Exception {
        TensorMemoryFile created = TensorMemoryFile.create(dir, 4096, 4096);
        try {
            created.arena.put(0, (byte) 1);
            created.heap.put(0, (byte) 2);
            created.arena.force();
            created.heap.force();

            byte[] bytes = Files.readAllBytes(created.file);
            assertEquals(1, bytes[0]);
            assertEquals(2, bytes[4096]);
            assertEquals(4096, created.arena.capacity());
            assertEquals(4096, created.heap.capacity());
        } finally {
            created.close();
        }
    }

    @Test
    void attachedMappingSharesTheBytesAndClosingItKeepsTheFile() {
        TensorMemoryFile created = TensorMemoryFile.create(dir, 4096, 4096);
        try {
            TensorMemoryFile attached = TensorMemoryFile.attach(created.file, 4096, 4096);
            attached.heap.putLong(8, 42L);
            assertFalse(attached.owner);

            attached.close();

            assertEquals(42L, created.heap.getLong(8));
            assertTrue(Files.exists(created.file));
        } finally {
            created.close();
        }
        assertFalse(Files.exists(created.file), "the creator's close deletes the file");
    }

    @Test
    void attachRejectsAFileOfOtherSizesNamingBoth() {
        TensorMemoryFile created = TensorMemoryFile.create(dir, 4096, 4096);
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TensorMemoryFile.attach(created.file, 8192, 4096));

            assertEquals("tensor memory file " + created.file + " has 8192 bytes but arena 8192 + heap 4096 needs "
                    + "12288", e.getMessage());
        } finally {
            created.close();
        }
    }

    @Test
    void regionSizesRoundToPagesExceptNearTheMappingLimit() {
        assertEquals(4096, TensorMemoryFile.regionSize("arena", TensorMemoryFile.MIN_REGION));
        assertEquals(8192, TensorMemoryFile.regionSize("arena", 4097));
        assertEquals(TensorMemoryFile.MAX_REGION, TensorMemoryFile.regionSize("arena", TensorMemoryFile.MAX_REGION),
                "a whole page would not fit one mapping, so it rounds to 1 KiB");
        assertTrue(TensorMemoryFile.MAX_REGION <= MappedFile.MAX_MAPPING);
    }

    @Test
    void regionSizeOutOfRangeIsRejectedNamingTheRegionAndBounds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorMemoryFile.regionSize("heap", TensorMemoryFile.MAX_REGION + 1));

        assertEquals("heap size " + (TensorMemoryFile.MAX_REGION + 1) + " must be between 1024 and "
                + TensorMemoryFile.MAX_REGION + " bytes", e.getMessage());
    }

    @Test
    void missingDirectoryIsRejectedNamingIt() {
        Path missing = dir.resolve("missing");

        // The space check comes first and finds no file system to ask.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TensorMemoryFile.create(missing, 4096, 4096));

        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void memoryFilesOfDeadProcessesAreRemovedAtCreate() throws Exception {
        Path orphan = Files.createFile(dir.resolve("strata-999999999-abc123.mem")); // no such pid can exist
        Path mine = Files.createFile(dir.resolve("strata-" + ProcessHandle.current().pid() + "-def456.mem"));
        Path other = Files.createFile(dir.resolve("notes.txt"));

        TensorMemoryFile created = TensorMemoryFile.create(dir, 4096, 4096);
        try {
            assertFalse(Files.exists(orphan), "a dead JVM's file is cleaned up");
            assertTrue(Files.exists(mine), "a live JVM's file stays");
            assertTrue(Files.exists(other), "other files are never touched");
            assertTrue(Files.exists(created.file));
        } finally {
            created.close();
        }
    }
}
