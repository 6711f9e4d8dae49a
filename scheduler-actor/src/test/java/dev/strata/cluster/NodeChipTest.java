package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgsSnapshot;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NodeChipTest {
    static final String NODE = "pekko://strata@127.0.0.1:25521";
    // Addresses of the head, which the node never dereferences: it copies the bytes to its own memory.
    private static final ContinuousTensor IN = ContinuousTensor.of(0x10_0000_0040L, DataType.FLOAT32, 4);
    private static final ContinuousTensor OUT = ContinuousTensor.of(0x10_0000_0080L, DataType.FLOAT32, 4);

    private final SharedTensorMemory memory = SharedTensorMemory.create(null, 64 * 1024,
            SharedTensorMemory.MIN_REGION);
    private final AtomicLong tasksRun = new AtomicLong();
    private final NodeChip chip = new NodeChip(1, NODE, memory, 2, tasksRun);

    @AfterEach
    void close() {
        chip.close();
        memory.close();
    }

    static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static ChipEntity.Run addScalar(String kernelClass, float scalar) {
        TaskArgsSnapshot args = new TaskArgsSnapshot(List.of(IN, OUT), new long[] {(long) scalar});
        return new ChipEntity.Run(1, "add", kernelClass, args, List.of(IN, OUT),
                List.of(floats(1, 2, 3, 4), floats(0, 0, 0, 0)), CallConfig.DEFAULT, 0, List.of(kernelClass), null);
    }

    @Test
    void runsTheKernelOnNodeCopiesAndAnswersOnlyTheChangedTensor() {
        ChipEntity.Ran ran = chip.run(addScalar(ShippingKernels.AddScalar.class.getName(), 10));
        assertNull(ran.error());
        assertEquals(NODE, ran.node());
        assertArrayEquals(new int[] {1}, ran.changed(), "the INPUT did not change, so it does not travel back");
        assertArrayEquals(floats(11, 12, 13, 14), ran.contents().get(0));
        assertEquals(1, tasksRun.get());
    }

    @Test
    void freesItsCopiesAfterEveryTask() {
        // 64 KiB of arena: without freeing, a few thousand tasks of 32 bytes would exhaust it.
        for (int i = 0; i < 5_000; i++) {
            assertNull(chip.run(addScalar(ShippingKernels.AddScalar.class.getName(), i)).error());
        }
        assertEquals(5_000, tasksRun.get());
    }

    @Test
    void aKernelFailureIsTheAnswersErrorNamingTheNode() {
        ChipEntity.Ran ran = chip.run(addScalar(ShippingKernels.Throws.class.getName(), 1));
        assertEquals(IllegalStateException.class.getName(), ran.error().exceptionClass());
        assertTrue(ran.error().message().contains("kernel failed on purpose"), ran.error().message());
        assertTrue(ran.error().message().contains("chip 1 on worker node " + NODE), ran.error().message());
        assertEquals(0, ran.changed().length);
    }

    @Test
    void aKernelClassMissingOnTheNodeFailsNamingTheClassAndTheNode() {
        ChipEntity.Ran ran = chip.run(addScalar("com.example.NotHere", 1));
        String m = ran.error().message();
        assertTrue(m.contains("com.example.NotHere") && m.contains(NODE) && m.contains("'add'"), m);
        assertEquals(0, tasksRun.get(), "nothing ran");
    }

    @Test
    void tensorsAtOneAddressShareOneCopy() {
        // INOUT given twice: the kernel reads and writes one tensor, as on the head.
        TaskArgsSnapshot args = new TaskArgsSnapshot(List.of(IN, IN), new long[] {1});
        ChipEntity.Ran ran = chip.run(new ChipEntity.Run(1, "add", ShippingKernels.AddScalar.class.getName(), args,
                List.of(IN), List.of(floats(1, 2, 3, 4)), CallConfig.DEFAULT, 0,
                List.of(ShippingKernels.AddScalar.class.getName()), null));
        assertNull(ran.error());
        assertArrayEquals(new int[] {0}, ran.changed());
        assertArrayEquals(floats(2, 3, 4, 5), ran.contents().get(0));
    }
}
