package dev.strata.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SharedTensorMemoryTest {

    private static final long ARENA = 64 * 1024;
    private static final long HEAP = 16 * 1024;

    @TempDir
    Path dir;

    private SharedTensorMemory memory;

    @BeforeEach
    void createMemory() {
        memory = SharedTensorMemory.create(dir, ARENA, HEAP);
    }

    @AfterEach
    void closeMemory() {
        memory.close();
    }

    // ---- allocate / free ---------------------------------------------------------------------------------

    @Test
    void allocateReturnsAlignedTensorInsideTheArena() {
        memory.allocate(DataType.INT8, 3);
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, 2, 3);

        assertEquals(0, t.data() % 64, "address " + Long.toHexString(t.data()));
        assertTrue(t.data() >= SharedTensorMemory.BASE && t.data() + t.nbytes() <= memory.heapBase());
        assertEquals(DataType.FLOAT32, t.dtype());
        assertArrayEquals(new int[] {2, 3}, t.shape());
    }

    @Test
    void reusedBlockIsZeroFilledAgain() {
        ContinuousTensor dirty = memory.allocate(DataType.FLOAT32, 16);
        memory.write(dirty, filled(16, 7f));
        memory.free(dirty);

        ContinuousTensor fresh = memory.allocate(DataType.FLOAT32, 16);

        assertEquals(dirty.data(), fresh.data(), "first fit hands the same block out again");
        assertArrayEquals(new float[16], memory.readFloats(fresh));
    }

    @Test
    void distinctAllocationsDoNotOverlap() {
        List<ContinuousTensor> tensors = new ArrayList<>();
        int[] lengths = {0, 1, 63, 64, 65, 1000, 0};
        for (int length : lengths) {
            tensors.add(memory.allocate(DataType.UINT8, length));
        }

        for (int i = 0; i < tensors.size(); i++) {
            for (int j = i + 1; j < tensors.size(); j++) {
                ContinuousTensor a = tensors.get(i);
                ContinuousTensor b = tensors.get(j);
                long aEnd = a.data() + Math.max(1, a.nbytes());
                long bEnd = b.data() + Math.max(1, b.nbytes());
                assertTrue(aEnd <= b.data() || bEnd <= a.data(), a + " overlaps " + b);
            }
        }
    }

    @Test
    void freedBlockIsReused() {
        ContinuousTensor first = memory.allocate(DataType.INT32, 100);
        memory.allocate(DataType.INT32, 100);
        memory.free(first);

        assertEquals(first.data(), memory.allocate(DataType.INT32, 50).data());
    }

    @Test
    void coalescingLetsLargeAllocationFitAfterFreeingNeighbours() {
        ContinuousTensor a = memory.allocate(DataType.UINT8, (int) ARENA / 4);
        ContinuousTensor b = memory.allocate(DataType.UINT8, (int) ARENA / 4);
        ContinuousTensor c = memory.allocate(DataType.UINT8, (int) ARENA / 4);
        ContinuousTensor d = memory.allocate(DataType.UINT8, (int) ARENA / 4);
        assertThrows(IllegalStateException.class, () -> memory.allocate(DataType.UINT8, 1));

        // Freed out of order so that both backward and forward merging are needed.
        memory.free(b);
        memory.free(d);
        memory.free(c);
        memory.free(a);

        assertEquals(SharedTensorMemory.BASE, memory.allocate(DataType.UINT8, (int) ARENA).data());
    }

    @Test
    void fullArenaFailsWithClearMessage() {
        memory.allocate(DataType.UINT8, (int) ARENA / 2);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> memory.allocate(DataType.FLOAT32, (int) ARENA / 4));

        assertEquals("user arena full: requested " + ARENA + " bytes, largest free block " + ARENA / 2
                + " of arena-size " + ARENA + "; raise strata.worker.arena-size", e.getMessage());
    }

    @Test
    void invalidShapeIsRejectedByTensorValidation() {
        assertThrows(IllegalArgumentException.class, () -> memory.allocate(DataType.FLOAT32, 1, -2));
        assertThrows(IllegalArgumentException.class, () -> memory.allocate(DataType.FLOAT32));
    }

    @Test
    void doubleFreeIsRejectedNamingTheAddress() {
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, 4);
        memory.free(t);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.free(t));

        assertTrue(e.getMessage().contains(hex(t.data())), e.getMessage());
        assertTrue(e.getMessage().contains("double free"), e.getMessage());
    }

    @Test
    void freeOfAddressNeverAllocatedIsRejectedNamingIt() {
        ContinuousTensor foreign = ContinuousTensor.of(SharedTensorMemory.BASE + 4096, DataType.FLOAT32, 4);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.free(foreign));

        assertTrue(e.getMessage().contains(hex(foreign.data())), e.getMessage());
        assertTrue(e.getMessage().contains("not allocated"), e.getMessage());
    }

    @Test
    void freeOfAddressInsideAnAllocationNamesTheAllocation() {
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, 64);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> memory.free(t.withData(t.data() + 64)));

        assertTrue(e.getMessage().contains(hex(t.data() + 64)), e.getMessage());
        assertTrue(e.getMessage().contains("inside the tensor allocated at " + hex(t.data())), e.getMessage());
    }

    @Test
    void freeOfHeapAddressIsRejected() {
        ContinuousTensor heapTensor = ContinuousTensor.of(memory.heapBase(), DataType.FLOAT32, 4);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.free(heapTensor));

        assertTrue(e.getMessage().contains(hex(memory.heapBase())), e.getMessage());
        assertTrue(e.getMessage().contains("heap address"), e.getMessage());
    }

    @Test
    void freeOfAddressOutsideTheMemoryIsRejected() {
        ContinuousTensor outside = ContinuousTensor.of(0x1234, DataType.FLOAT32, 4);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.free(outside));

        assertTrue(e.getMessage().contains("0x1234"), e.getMessage());
    }

    // ---- views -------------------------------------------------------------------------------------------

    @Test
    void bytesViewIsLittleEndianAndSizedNbytes() {
        ContinuousTensor t = memory.allocate(DataType.INT32, 3);
        memory.ints(t).put(0, 0x01020304);

        ByteBuffer bytes = memory.bytes(t);

        assertEquals(ByteOrder.LITTLE_ENDIAN, bytes.order());
        assertEquals(0, bytes.position());
        assertEquals(12, bytes.limit());
        assertEquals(12, bytes.capacity());
        assertEquals(0x04, bytes.get(0));
        assertEquals(0x01, bytes.get(3));
    }

    @Test
    void heapRegionTensorIsAddressableThroughEveryView() {
        ContinuousTensor heapTensor = ContinuousTensor.of(memory.heapBase() + 128, DataType.INT64, 2);

        memory.bytes(bytesAt(memory.heapBase() + 128, 16)).putLong(8, -5L);

        assertEquals(-5L, memory.longs(heapTensor).get(1));
        assertEquals(-5L, memory.bytes(heapTensor).getLong(8));
        assertEquals(16, memory.bytes(heapTensor).remaining());
    }

    @Test
    void lastBytesOfEachRegionAreAddressable() {
        assertEquals(8, memory.bytes(bytesAt(memory.heapBase() - 8, 8)).remaining());
        assertEquals(8, memory.bytes(bytesAt(memory.heapBase() + memory.heapSize() - 8, 8)).remaining());
    }

    @Test
    void addressOutsideTheMemoryIsRejectedNamingIt() {
        ContinuousTensor stray = ContinuousTensor.of(0xdead_beefL, DataType.FLOAT32, 4);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.bytes(stray));

        assertTrue(e.getMessage().contains("0xdeadbeef"), e.getMessage());
        assertTrue(e.getMessage().contains(hex(SharedTensorMemory.BASE)), "names the valid ranges: " + e.getMessage());
    }

    @Test
    void zeroAddressIsRejected() {
        ContinuousTensor none = ContinuousTensor.of(0, DataType.FLOAT32, 4);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.floats(none));

        assertTrue(e.getMessage().contains("0x0 "), e.getMessage());
    }

    @Test
    void tensorRunningPastTheHeapEndIsRejected() {
        long end = memory.heapBase() + memory.heapSize();
        ContinuousTensor overrun = ContinuousTensor.of(end - 8, DataType.FLOAT32, 4);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.bytes(overrun));

        assertTrue(e.getMessage().contains(hex(end - 8)), e.getMessage());
    }

    @Test
    void rangeStraddlingArenaAndHeapIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> memory.bytes(bytesAt(memory.heapBase() - 8, 16)));

        assertTrue(e.getMessage().contains(hex(memory.heapBase() - 8)), e.getMessage());
        assertTrue(e.getMessage().contains("straddles"), e.getMessage());
    }

    @Test
    void viewsCoverWholeRegionsAndNothingAroundThem() {
        assertEquals(ARENA, memory.bytes(bytesAt(SharedTensorMemory.BASE, (int) ARENA)).remaining());
        assertEquals(HEAP, memory.bytes(bytesAt(memory.heapBase(), (int) HEAP)).remaining());
        for (long outside : new long[] {0, SharedTensorMemory.BASE - 1, memory.heapBase() + HEAP, Long.MAX_VALUE}) {
            assertThrows(IllegalArgumentException.class, () -> memory.bytes(bytesAt(outside, 1)),
                    () -> "address " + hex(outside));
        }
    }

    @Test
    void floatsOnWrongDtypeIsRejectedNamingTheDtype() {
        ContinuousTensor t = memory.allocate(DataType.INT32, 4);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.floats(t));

        assertTrue(e.getMessage().contains("INT32"), e.getMessage());
    }

    @Test
    void intsOnWrongDtypeIsRejectedNamingTheDtype() {
        ContinuousTensor t = memory.allocate(DataType.FLOAT16, 4);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.ints(t));

        assertTrue(e.getMessage().contains("FLOAT16"), e.getMessage());
    }

    @Test
    void longsOnWrongDtypeIsRejectedNamingTheDtype() {
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, 4);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> memory.longs(t));

        assertTrue(e.getMessage().contains("FLOAT32"), e.getMessage());
    }

    @Test
    void longsAcceptsUint64() {
        ContinuousTensor t = memory.allocate(DataType.UINT64, 2);

        memory.longs(t).put(1, -1L);

        assertEquals(-1L, memory.bytes(t).getLong(8));
    }

    @Test
    void writeThenReadFloatsRoundTrips() {
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, 2, 2);
        float[] values = {1.5f, -2f, Float.NaN, 1e30f};

        memory.write(t, values);

        assertArrayEquals(values, memory.readFloats(t));
        assertEquals(1.5f, memory.bytes(t).getFloat(0));
    }

    @Test
    void writeWithWrongLengthIsRejectedNamingBothCounts() {
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, 2, 3);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> memory.write(t, new float[5]));

        assertTrue(e.getMessage().contains("5 values"), e.getMessage());
        assertTrue(e.getMessage().contains("numel 6"), e.getMessage());
    }

    @Test
    void writeOnWrongDtypeIsRejectedNamingTheDtype() {
        ContinuousTensor t = memory.allocate(DataType.INT64, 2);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> memory.write(t, new float[2]));

        assertTrue(e.getMessage().contains("INT64"), e.getMessage());
    }

    // ---- sharing between instances ----------------------------------------------------------------------

    @Test
    void attachedInstanceSeesWritesOfTheCreator() {
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, 3);
        memory.write(t, new float[] {1f, 2f, 3f});

        try (SharedTensorMemory child = SharedTensorMemory.attach(memory.file(), ARENA, HEAP)) {
            assertArrayEquals(new float[] {1f, 2f, 3f}, child.readFloats(t));
        }
    }

    @Test
    void creatorSeesWritesOfTheAttachedInstance() {
        ContinuousTensor arenaTensor = memory.allocate(DataType.INT32, 2);
        ContinuousTensor heapTensor = ContinuousTensor.of(memory.heapBase() + 64, DataType.INT32, 2);

        try (SharedTensorMemory child = SharedTensorMemory.attach(memory.file(), ARENA, HEAP)) {
            child.ints(arenaTensor).put(new int[] {10, 20});
            child.ints(heapTensor).put(new int[] {30, 40});
        }

        assertEquals(20, memory.ints(arenaTensor).get(1));
        assertEquals(40, memory.ints(heapTensor).get(1));
    }

    @Test
    void attachedInstanceRefusesToAllocate() {
        try (SharedTensorMemory child = SharedTensorMemory.attach(memory.file(), ARENA, HEAP)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> child.allocate(DataType.FLOAT32, 4));
            assertTrue(e.getMessage().contains("attached"), e.getMessage());
        }
    }

    @Test
    void attachRejectsFileOfOtherSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SharedTensorMemory.attach(memory.file(), ARENA * 2, HEAP));

        assertTrue(e.getMessage().contains(memory.file().toString()), e.getMessage());
    }

    @Test
    void attachRejectsMissingFile() {
        Path missing = dir.resolve("missing.mem");

        assertThrows(IllegalArgumentException.class, () -> SharedTensorMemory.attach(missing, ARENA, HEAP));
    }

    @Test
    void closingAttachedInstanceKeepsTheFile() {
        SharedTensorMemory child = SharedTensorMemory.attach(memory.file(), ARENA, HEAP);

        child.close();

        assertTrue(Files.exists(memory.file()));
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, 1);
        assertDoesNotThrow(() -> memory.write(t, new float[] {1f}));
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------

    @Test
    void sizesAreRoundedUpToWholePages() {
        try (SharedTensorMemory small = SharedTensorMemory.create(dir, 1500, 1024)) {
            assertEquals(4096, small.arenaSize());
            assertEquals(4096, small.heapSize());
            assertEquals(SharedTensorMemory.BASE + 4096, small.heapBase());
        }
    }

    @Test
    void sizesOutOfRangeAreRejectedNamingTheSize() {
        IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                () -> SharedTensorMemory.create(dir, 1023, 4096));
        IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                () -> SharedTensorMemory.create(dir, 4096, Integer.MAX_VALUE));

        assertTrue(tooSmall.getMessage().contains("1023"), tooSmall.getMessage());
        assertTrue(tooLarge.getMessage().contains(String.valueOf(Integer.MAX_VALUE)), tooLarge.getMessage());
    }

    @Test
    void largestRegionSizeStillFitsOneMapping() throws Exception {
        // Sparse file: needs address space and free-space headroom, not real memory.
        assumeTrue(Files.getFileStore(dir).getUsableSpace() > 4L * SharedTensorMemory.MAX_REGION);

        try (SharedTensorMemory largest = SharedTensorMemory.create(dir, SharedTensorMemory.MAX_REGION, 1024)) {
            assertEquals(SharedTensorMemory.MAX_REGION, largest.arenaSize());
            assertEquals(8, largest.bytes(bytesAt(largest.heapBase() - 8, 8)).remaining());
        }
    }

    @Test
    void closeDeletesTheFile() {
        Path file = memory.file();

        memory.close();

        assertFalse(Files.exists(file));
    }

    @Test
    void unlinkDeletesTheFileButKeepsTheBytesMapped() {
        Path file = memory.file();
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, 2);
        memory.write(t, new float[] {1.5f, 2.5f});

        memory.unlink();
        memory.unlink(); // idempotent

        assertFalse(Files.exists(file));
        assertArrayEquals(new float[] {1.5f, 2.5f}, memory.readFloats(t));
        memory.write(t, new float[] {3f, 4f});
        assertArrayEquals(new float[] {3f, 4f}, memory.readFloats(t));
        assertTrue(memory.toString().contains("unlinked"), memory.toString());
        assertThrows(IllegalArgumentException.class, () -> SharedTensorMemory.attach(file, ARENA, HEAP),
                "no process can attach an unlinked file");
        assertDoesNotThrow(memory::close);
    }

    @Test
    void onlyTheCreatorUnlinks() {
        try (SharedTensorMemory child = SharedTensorMemory.attach(memory.file(), ARENA, HEAP)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, child::unlink);
            assertTrue(e.getMessage().contains("unlink"), e.getMessage());
        }
        assertTrue(Files.exists(memory.file()));
    }

    @Test
    void closeUnmapsTheFileAtOnce() throws Exception {
        Path maps = Path.of("/proc/self/maps");
        assumeTrue(Files.isReadable(maps), "needs Linux /proc to see mappings");
        String name = memory.file().getFileName().toString();
        assertTrue(Files.readString(maps).contains(name), "mapped while open");

        memory.close();

        assertFalse(Files.readString(maps).contains(name), "still mapped after close");
    }

    @Test
    void callsAfterCloseThrowIllegalState() {
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, 4);
        memory.close();

        for (Runnable call : List.<Runnable>of(
                () -> memory.allocate(DataType.FLOAT32, 4),
                () -> memory.free(t),
                () -> memory.bytes(t),
                () -> memory.floats(t),
                () -> memory.readFloats(t),
                () -> memory.write(t, new float[4]),
                () -> memory.ints(ContinuousTensor.of(t.data(), DataType.INT32, 4)),
                () -> memory.longs(ContinuousTensor.of(t.data(), DataType.INT64, 2)))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
            assertEquals("tensor memory is closed", e.getMessage());
        }
    }

    @Test
    void closeIsIdempotent() {
        memory.close();

        assertDoesNotThrow(memory::close);
        assertThrows(IllegalStateException.class, () -> memory.bytes(bytesAt(SharedTensorMemory.BASE, 1)));
    }

    @Test
    void defaultDirectoryIsDevShmWhenPresent() {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no writable /dev/shm here");

        try (SharedTensorMemory inShm = SharedTensorMemory.create(null, 4096, 4096)) {
            assertEquals(shm, inShm.file().getParent());
        }
    }

    @Test
    void emptyDirectoryMeansTheDefault() {
        try (SharedTensorMemory byDefault = SharedTensorMemory.create(Path.of(""), 4096, 4096)) {
            assertEquals(TensorMemoryFile.defaultDirectory(8192), byDefault.file().getParent());
        }
    }

    @Test
    void toStringNamesFileAndSizes() {
        String text = memory.toString();

        assertTrue(text.contains(memory.file().toString()), text);
        assertTrue(text.contains("arena=" + ARENA), text);
        assertTrue(text.contains("heap=" + HEAP), text);
    }

    // ---- concurrency -------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void concurrentAllocateAndFreeNeverHandOutOverlappingRanges() throws Exception {
        int threads = 4;
        // One owner slot per 64-byte granule: claiming a granule someone else holds means an overlap.
        AtomicIntegerArray owners = new AtomicIntegerArray((int) (ARENA / 64));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int id = 1; id <= threads; id++) {
                int owner = id;
                done.add(pool.submit(() -> {
                    start.await();
                    churn(owner, owners, new Random(owner));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(15, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        // Everything was freed, so the free list must have merged back into one arena-sized block.
        assertEquals(SharedTensorMemory.BASE, memory.allocate(DataType.UINT8, (int) ARENA).data());
    }

    private void churn(int owner, AtomicIntegerArray owners, Random random) {
        ArrayDeque<ContinuousTensor> live = new ArrayDeque<>();
        for (int i = 0; i < 2000; i++) {
            if (live.size() == 8 || (!live.isEmpty() && random.nextBoolean())) {
                release(live.poll(), owner, owners);
            }
            ContinuousTensor t = memory.allocate(DataType.UINT8, random.nextInt(1024));
            for (int g = firstGranule(t); g <= lastGranule(t); g++) {
                if (!owners.compareAndSet(g, 0, owner)) {
                    throw new AssertionError(t + " handed to thread " + owner + " overlaps a live tensor of thread "
                            + owners.get(g));
                }
            }
            ByteBuffer bytes = memory.bytes(t);
            while (bytes.hasRemaining()) {
                bytes.put((byte) owner);
            }
            live.add(t);
        }
        while (!live.isEmpty()) {
            release(live.poll(), owner, owners);
        }
    }

    private void release(ContinuousTensor t, int owner, AtomicIntegerArray owners) {
        ByteBuffer bytes = memory.bytes(t);
        while (bytes.hasRemaining()) {
            assertEquals((byte) owner, bytes.get(), () -> t + " was overwritten while thread " + owner + " held it");
        }
        for (int g = firstGranule(t); g <= lastGranule(t); g++) {
            owners.set(g, 0);
        }
        memory.free(t);
    }

    private static int firstGranule(ContinuousTensor t) {
        return (int) ((t.data() - SharedTensorMemory.BASE) / 64);
    }

    private static int lastGranule(ContinuousTensor t) {
        return (int) ((t.data() - SharedTensorMemory.BASE + Math.max(1, t.nbytes()) - 1) / 64);
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private static float[] filled(int n, float value) {
        float[] values = new float[n];
        Arrays.fill(values, value);
        return values;
    }

    /** A byte tensor over any range, for views that are not of an allocated tensor. */
    private static ContinuousTensor bytesAt(long address, int length) {
        return ContinuousTensor.of(address, DataType.UINT8, length);
    }

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }
}
