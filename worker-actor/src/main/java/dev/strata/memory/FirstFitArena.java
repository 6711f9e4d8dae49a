package dev.strata.memory;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The first-fit allocator behind the user arena of {@link SharedTensorMemory}: it hands out address ranges of
 * {@code [base, base + size)} and takes them back, and knows nothing of files, mappings or bytes.
 *
 * <p>Every block is {@link #ALIGNMENT}-aligned and at least {@link #ALIGNMENT} bytes long, so a zero-byte
 * request still gets an address of its own. The lowest free block that fits is split; freeing merges a block
 * with free neighbours on both sides, so free blocks are never adjacent and a request fits again once its
 * neighbours are freed.
 *
 * <p>Not thread-safe: its owner calls it under one lock (so that, there, "closed" and "allocated" change
 * together).
 */
final class FirstFitArena {

    /** Alignment of every block, and the smallest block one allocation occupies. */
    static final int ALIGNMENT = 64;

    private final long base;
    private final long size;
    /** Free blocks: offset -> length, never adjacent (freeing coalesces). */
    private final TreeMap<Long, Long> freeBlocks = new TreeMap<>();
    /** Live blocks: offset -> reserved length. */
    private final TreeMap<Long, Long> allocated = new TreeMap<>();
    /** Offsets freed and not handed out again since, so a second free can be called a double free. */
    private final TreeSet<Long> freedOffsets = new TreeSet<>();

    /**
     * An arena with nothing allocated.
     *
     * @param base address of the first byte, {@link #ALIGNMENT}-aligned
     * @param size bytes, a positive multiple of {@link #ALIGNMENT}
     * @throws IllegalArgumentException naming the value that is not aligned or not positive
     */
    FirstFitArena(long base, long size) {
        if (base % ALIGNMENT != 0 || base < 0) {
            throw new IllegalArgumentException("arena base " + hex(base) + " must be a non-negative multiple of "
                    + ALIGNMENT);
        }
        if (size <= 0 || size % ALIGNMENT != 0) {
            throw new IllegalArgumentException("arena size " + size + " must be a positive multiple of "
                    + ALIGNMENT);
        }
        this.base = base;
        this.size = size;
        freeBlocks.put(0L, size);
    }

    /**
     * Reserves the lowest free block of at least {@code nbytes} (rounded up to {@link #ALIGNMENT}, at least one
     * unit) and returns its address.
     *
     * @throws IllegalArgumentException for a negative {@code nbytes}
     * @throws IllegalStateException    naming the request, the largest free block and the arena size when no free
     *                                  block is large enough
     */
    long allocate(long nbytes) {
        if (nbytes < 0) {
            throw new IllegalArgumentException("cannot allocate " + nbytes + " bytes");
        }
        // Compared before rounding so that a huge request cannot overflow the rounding arithmetic.
        long need = nbytes > size ? nbytes : Math.max(ALIGNMENT, (nbytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT);
        long largest = 0;
        for (Map.Entry<Long, Long> block : freeBlocks.entrySet()) {
            long offset = block.getKey();
            long length = block.getValue();
            if (length >= need) {
                freeBlocks.remove(offset);
                if (length > need) {
                    freeBlocks.put(offset + need, length - need);
                }
                allocated.put(offset, need);
                freedOffsets.subSet(offset, offset + need).clear();
                return base + offset;
            }
            largest = Math.max(largest, length);
        }
        throw new IllegalStateException("user arena full: requested " + need + " bytes, largest free block "
                + largest + " of arena-size " + size + "; raise strata.worker.arena-size");
    }

    /**
     * Returns the block that {@link #allocate} handed out at {@code address}, merging it with free neighbours.
     *
     * @throws IllegalArgumentException naming the address in hex and why: a double free, an address inside a
     *                                  live block, or one where no block starts
     */
    void free(long address) {
        long offset = address - base;
        Long length = allocated.remove(offset);
        if (length == null) {
            throw new IllegalArgumentException("cannot free " + hex(address) + ": " + whyNotAllocated(offset));
        }
        freedOffsets.add(offset);
        long start = offset;
        long end = offset + length;
        Map.Entry<Long, Long> before = freeBlocks.lowerEntry(start);
        if (before != null && before.getKey() + before.getValue() == start) {
            start = before.getKey();
            freeBlocks.remove(start);
        }
        Long afterLength = freeBlocks.remove(end);
        if (afterLength != null) {
            end += afterLength;
        }
        freeBlocks.put(start, end - start);
    }

    private String whyNotAllocated(long offset) {
        if (freedOffsets.contains(offset)) {
            return "double free, the tensor there was already freed";
        }
        Map.Entry<Long, Long> enclosing = allocated.lowerEntry(offset);
        if (enclosing != null && offset < enclosing.getKey() + enclosing.getValue()) {
            return "not allocated, it lies inside the tensor allocated at " + hex(base + enclosing.getKey());
        }
        return "not allocated, no tensor from allocate() starts there";
    }

    /**
     * Test hook: throws {@link AssertionError} unless the free and live blocks are aligned, sorted without
     * overlap, never two free blocks adjacent, and together cover the arena exactly.
     */
    void checkInvariants() {
        TreeMap<Long, Long> all = new TreeMap<>(allocated);
        for (Map.Entry<Long, Long> block : freeBlocks.entrySet()) {
            if (all.put(block.getKey(), block.getValue()) != null) {
                throw new AssertionError("offset " + block.getKey() + " is both free and allocated");
            }
        }
        long expected = 0;
        boolean previousFree = false;
        for (Map.Entry<Long, Long> block : all.entrySet()) {
            long offset = block.getKey();
            long length = block.getValue();
            boolean free = freeBlocks.containsKey(offset);
            if (offset != expected || length <= 0 || offset % ALIGNMENT != 0 || length % ALIGNMENT != 0) {
                throw new AssertionError("block " + offset + "+" + length + " where " + expected + " was expected: "
                        + "free " + freeBlocks + ", allocated " + allocated);
            }
            if (free && previousFree) {
                throw new AssertionError("adjacent free blocks at " + offset + ": " + freeBlocks);
            }
            previousFree = free;
            expected = offset + length;
        }
        if (expected != size) {
            throw new AssertionError("blocks end at " + expected + ", arena size " + size);
        }
    }

    private static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }
}
