package dev.strata.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TaskArgsBlobTest {

    /** A tensor of every dtype at every rank 1..5, with 64-bit addresses and dims up to Integer.MAX_VALUE. */
    private static TaskArgsView everyDtypeAndRank() {
        TaskArgs args = new TaskArgs();
        long address = 0x7FFF_0000_0000_1000L;
        for (DataType dtype : DataType.values()) {
            for (int ndims = 1; ndims <= ContinuousTensor.MAX_DIMS; ndims++) {
                int[] shape = new int[ndims];
                for (int d = 0; d < ndims; d++) {
                    shape[d] = 2 + d + dtype.ordinal();
                }
                args.addTensor(ContinuousTensor.of(address, dtype, shape), TensorArgType.INPUT);
                address += 0x1_0000_0040L;
            }
        }
        args.addTensor(ContinuousTensor.of(0, DataType.UINT8, Integer.MAX_VALUE), TensorArgType.OUTPUT);
        args.addTensor(ContinuousTensor.of(-8, DataType.INT8, 0, 7), TensorArgType.NO_DEP);
        return args.addScalar(0).addScalar(-1).addScalar(Long.MIN_VALUE).addScalar(Long.MAX_VALUE)
                .addScalar(0x0102_0304_0506_0708L).view();
    }

    private static byte[] encode(TaskArgsView args) {
        ByteBuffer buf = ByteBuffer.allocate(TaskArgsBlob.encodedSize(args));
        TaskArgsBlob.write(buf, args);
        return buf.array();
    }

    /** A little-endian buffer holding the given header followed by {@code extra} zero bytes. */
    private static ByteBuffer blob(int tensors, int scalars, int extra) {
        ByteBuffer buf = ByteBuffer.allocate(8 + extra).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0, tensors).putInt(4, scalars);
        return buf;
    }

    /** A little-endian one-tensor blob of a valid FLOAT32 [4] record, for corrupting field by field. */
    private static ByteBuffer oneTensorBlob() {
        ByteBuffer buf = ByteBuffer.wrap(encode(new TaskArgs()
                .addTensor(ContinuousTensor.of(0x1000, DataType.FLOAT32, 4), TensorArgType.INPUT).view()));
        return buf.order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String readFailure(ByteBuffer src) {
        int position = src.position();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskArgsBlob.read(src));
        assertEquals(position, src.position(), "a failed read must leave the position alone");
        return e.getMessage();
    }

    @Test
    void roundTripKeepsTensorsOfEveryDtypeAndRankAndScalars() {
        TaskArgsView args = everyDtypeAndRank();
        ByteBuffer buf = ByteBuffer.allocate(TaskArgsBlob.encodedSize(args));

        int written = TaskArgsBlob.write(buf, args);
        buf.flip();
        TaskArgsView back = TaskArgsBlob.read(buf);

        assertEquals(8 + 47 * 40 + 5 * 8, written);
        assertEquals(TaskArgsSnapshot.of(args), back);
        assertEquals(0, buf.remaining());
    }

    @Test
    void readReturnsAnImmutableSnapshot() {
        TaskArgsView back = TaskArgsBlob.read(ByteBuffer.wrap(encode(everyDtypeAndRank())));

        TaskArgsSnapshot snapshot = assertInstanceOf(TaskArgsSnapshot.class, back);
        assertThrows(UnsupportedOperationException.class, () -> snapshot.tensors().clear());
        snapshot.scalars()[0] = 99;
        assertEquals(0, snapshot.scalar(0));
    }

    @Test
    void oneRecordMatchesTheSpecByteByByte() {
        TaskArgsView args = new TaskArgs()
                .addTensor(ContinuousTensor.of(0x1122_3344_5566_7788L, DataType.BFLOAT16, 3, 0x0A0B_0C0D),
                        TensorArgType.INOUT)
                .addScalar(0x0102_0304_0506_0708L)
                .view();

        byte[] expected = {
            1, 0, 0, 0,                                                      // T = 1
            1, 0, 0, 0,                                                      // S = 1
            (byte) 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,           // data
            3, 0, 0, 0,                                                      // shape[0]
            0x0D, 0x0C, 0x0B, 0x0A,                                          // shape[1]
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                              // shape[2..4] unused
            2, 0, 0, 0,                                                      // ndims
            6,                                                               // dtype BFLOAT16 = ordinal 6
            0, 0, 0, 0, 0, 0, 0,                                             // padding
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,                  // scalar 0
        };
        assertArrayEquals(expected, encode(args));
    }

    @Test
    void paddingIsWrittenAsZerosOverDirtyMemory() {
        TaskArgsView args = new TaskArgs()
                .addTensor(ContinuousTensor.of(1, DataType.INT8, 1), TensorArgType.INPUT).view();
        ByteBuffer dirty = ByteBuffer.allocate(48);
        Arrays.fill(dirty.array(), (byte) 0x5A);

        TaskArgsBlob.write(dirty, args);

        assertArrayEquals(encode(args), dirty.array());
    }

    @Test
    void emptyArgsAreEightZeroBytes() {
        TaskArgsView empty = new TaskArgs().view();

        byte[] bytes = encode(empty);

        assertEquals(8, TaskArgsBlob.encodedSize(empty));
        assertArrayEquals(new byte[8], bytes);
        assertSame(TaskArgsSnapshot.EMPTY, TaskArgsBlob.read(ByteBuffer.wrap(bytes)));
    }

    @Test
    void writeAndReadStartAtThePositionAndAdvanceIt() {
        TaskArgsView args = everyDtypeAndRank();
        int size = TaskArgsBlob.encodedSize(args);
        ByteBuffer buf = ByteBuffer.allocate(64 + size + 16);
        buf.position(64);

        TaskArgsBlob.write(buf, args);
        assertEquals(64 + size, buf.position());
        buf.position(64);
        TaskArgsView back = TaskArgsBlob.read(buf);

        assertEquals(64 + size, buf.position());
        assertEquals(TaskArgsSnapshot.of(args), back);
    }

    @Test
    void roundTripThroughADirectBufferLikeTheMailboxMapping() {
        TaskArgsView args = everyDtypeAndRank();
        ByteBuffer direct = ByteBuffer.allocateDirect(TaskArgsBlob.encodedSize(args));

        TaskArgsBlob.write(direct, args);
        direct.flip();

        assertEquals(TaskArgsSnapshot.of(args), TaskArgsBlob.read(direct));
    }

    @Test
    void bigEndianDestinationStillGetsLittleEndianBytes() {
        TaskArgsView args = everyDtypeAndRank();
        ByteBuffer bigEndian = ByteBuffer.allocate(TaskArgsBlob.encodedSize(args));
        assertEquals(ByteOrder.BIG_ENDIAN, bigEndian.order());

        TaskArgsBlob.write(bigEndian, args);

        assertArrayEquals(encode(args), bigEndian.array());
        assertEquals(ByteOrder.BIG_ENDIAN, bigEndian.order(), "write must not change the buffer's order");
        assertEquals(47, bigEndian.get(0), "T is little-endian on the wire");
    }

    @Test
    void bigEndianSourceIsStillReadAsLittleEndian() {
        TaskArgsView args = everyDtypeAndRank();
        ByteBuffer src = ByteBuffer.wrap(encode(args)).order(ByteOrder.BIG_ENDIAN);

        assertEquals(TaskArgsSnapshot.of(args), TaskArgsBlob.read(src));
    }

    @Test
    void tooSmallBufferFailsNamingNeededAndRemainingBytesAndWritesNothing() {
        TaskArgsView args = new TaskArgs()
                .addTensor(ContinuousTensor.of(0x40, DataType.FLOAT32, 8), TensorArgType.INPUT)
                .addScalar(7).view();
        ByteBuffer small = ByteBuffer.allocate(60);
        Arrays.fill(small.array(), (byte) 0x5A);
        small.position(5);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskArgsBlob.write(small, args));

        assertTrue(e.getMessage().contains("needs 56 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("only 55 remaining"), e.getMessage());
        assertEquals(5, small.position());
        byte[] untouched = new byte[60];
        Arrays.fill(untouched, (byte) 0x5A);
        assertArrayEquals(untouched, small.array());
    }

    @Test
    void nullTensorFromAViewIsRejectedBeforeWriting() {
        TaskArgsView broken = new TaskArgsView() {
            @Override public int tensorCount() { return 1; }
            @Override public int scalarCount() { return 0; }
            @Override public ContinuousTensor tensor(int i) { return null; }
            @Override public long scalar(int i) { throw new IndexOutOfBoundsException(i); }
        };
        ByteBuffer buf = ByteBuffer.allocate(48);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskArgsBlob.write(buf, broken));

        assertTrue(e.getMessage().contains("tensor 0 is null"), e.getMessage());
        assertArrayEquals(new byte[48], buf.array());
    }

    @Test
    void truncatedHeaderIsRejected() {
        String message = readFailure(ByteBuffer.wrap(new byte[7]));

        assertTrue(message.contains("truncated") && message.contains("7"), message);
    }

    @Test
    void truncatedRecordsAreRejectedNamingDeclaredAndRemainingBytes() {
        byte[] full = encode(everyDtypeAndRank());
        ByteBuffer cut = ByteBuffer.wrap(Arrays.copyOf(full, full.length - 1));

        String message = readFailure(cut);

        assertTrue(message.contains("truncated"), message);
        assertTrue(message.contains(full.length + " bytes") && message.contains((full.length - 1) + " remain"),
                message);
    }

    @Test
    void negativeTensorCountIsRejected() {
        String message = readFailure(blob(-1, 0, 64));

        assertTrue(message.contains("negative") && message.contains("-1 tensors"), message);
    }

    @Test
    void negativeScalarCountIsRejected() {
        String message = readFailure(blob(0, -5, 64));

        assertTrue(message.contains("negative") && message.contains("-5 scalars"), message);
    }

    @Test
    void absurdCountsAreRejectedWithoutAllocating() {
        String message = readFailure(blob(Integer.MAX_VALUE, Integer.MAX_VALUE, 64));

        assertTrue(message.contains(Integer.MAX_VALUE + " tensors"), message);
        assertTrue(message.contains("more than a blob can hold"), message);
    }

    @Test
    void countsBeyondTheBufferAreRejectedAsTruncated() {
        String message = readFailure(blob(1000, 0, 40));

        assertTrue(message.contains("1000 tensors") && message.contains("40008 bytes"), message);
    }

    @Test
    void zeroNdimsIsRejected() {
        ByteBuffer src = oneTensorBlob();
        src.putInt(8 + 28, 0);

        String message = readFailure(src);

        assertTrue(message.contains("tensor 0") && message.contains("ndims 0"), message);
    }

    @Test
    void sixNdimsIsRejected() {
        ByteBuffer src = oneTensorBlob();
        src.putInt(8 + 28, 6);

        String message = readFailure(src);

        assertTrue(message.contains("ndims 6") && message.contains("1..5"), message);
    }

    @Test
    void ndimsIsReadUnsigned() {
        ByteBuffer src = oneTensorBlob();
        src.putInt(8 + 28, -1);

        String message = readFailure(src);

        assertTrue(message.contains("ndims 4294967295"), message);
    }

    @Test
    void unknownDtypeCodeIsRejected() {
        ByteBuffer src = oneTensorBlob();
        src.put(8 + 32, (byte) 9);

        String message = readFailure(src);

        assertTrue(message.contains("unknown dtype code 9") && message.contains("0..8"), message);
    }

    @Test
    void dtypeCodeIsReadUnsigned() {
        ByteBuffer src = oneTensorBlob();
        src.put(8 + 32, (byte) 0xFF);

        String message = readFailure(src);

        assertTrue(message.contains("unknown dtype code 255"), message);
    }

    @Test
    void dimAboveIntMaxIsRejected() {
        ByteBuffer src = oneTensorBlob();
        src.putInt(8 + 8, 0x8000_0000);

        String message = readFailure(src);

        assertTrue(message.contains("dim 0") && message.contains("2147483648"), message);
    }

    @Test
    void shapeWhoseByteSizeOverflowsIsRejected() {
        ByteBuffer src = oneTensorBlob();
        src.putInt(8 + 28, 3);
        src.putInt(8 + 8, 1 << 30).putInt(8 + 12, 1 << 29).putInt(8 + 16, 1 << 30);

        String message = readFailure(src);

        assertTrue(message.contains("tensor 0") && message.contains("overflows"), message);
    }

    @Test
    void nonZeroPaddingAndUnusedDimsAreIgnored() {
        ByteBuffer src = oneTensorBlob();
        for (int i = 33; i < 40; i++) {
            src.put(8 + i, (byte) 0xEE);
        }
        src.putInt(8 + 12, 77);

        TaskArgsView back = TaskArgsBlob.read(src);

        assertEquals(ContinuousTensor.of(0x1000, DataType.FLOAT32, 4), back.tensor(0));
    }
}
