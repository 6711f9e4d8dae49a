package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TensorArgType;
import dev.strata.protocol.TensorMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
public class NodeChipTest {
    public static final String NODE = "pekko://strata@127.0.0.1:25521";
    // Addresses of the head, which the node never dereferences: it copies the bytes to its own memory.
    private static final ContinuousTensor IN = ContinuousTensor.of(0x10_0000_0040L, DataType.FLOAT32, 4);
    private static final ContinuousTensor OUT = ContinuousTensor.of(0x10_0000_0080L, DataType.FLOAT32, 4);
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    static final ActorSystem<Void> TRANSFER_SYSTEM = TEST_KIT.system();
    public static final TensorTransfer TRANSFER = new TensorTransfer(TRANSFER_SYSTEM, Duration.ofSeconds(20));

    private final SharedTensorMemory memory = SharedTensorMemory.create(null, 64 * 1024,
            SharedTensorMemory.MIN_REGION);
    private final AtomicLong tasksRun = new AtomicLong();
    private final NodeChip chip = new NodeChip(1, NODE, memory, 2, tasksRun, TRANSFER);

    @AfterEach
    void close() {
        chip.close();
        memory.close();
    }

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    public static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /**
     * The dispatch the head makes for {@code args}: its plan, and the bytes of its in-tensors taken from
     * {@code contents} (one array per tensor of the plan; those of tensors that do not go in are ignored).
     */
    public static ChipEntity.Run run(String kernelClass, TaskArgsSnapshot args, List<byte[]> contents) {
        return run(kernelClass, args, contents, () -> { });
    }

    static ChipEntity.Run run(String kernelClass, TaskArgsSnapshot args, List<byte[]> contents, Runnable sent) {
        ShippingPlan plan = ShippingPlan.of(args);
        List<ByteBuffer> in = new ArrayList<>();
        for (int i = 0; i < plan.tensors().size(); i++) {
            if (plan.tensors().get(i).in()) {
                in.add(ByteBuffer.wrap(contents.get(i)));
            }
        }
        return new ChipEntity.Run(1, "add", kernelClass, args.withoutTags(), plan, TRANSFER.send(in, sent),
                CallConfig.DEFAULT, 0, List.of(kernelClass), null);
    }

    public static ChipEntity.Run addScalar(String kernelClass, float scalar) {
        TaskArgsSnapshot args = (TaskArgsSnapshot) new TaskArgs().addTensor(IN, TensorArgType.INPUT)
                .addTensor(OUT, TensorArgType.OUTPUT).addScalar((long) scalar).view();
        return run(kernelClass, args, List.of(floats(1, 2, 3, 4), floats(0, 0, 0, 0)));
    }

    /** The answer's bytes, read whole. */
    public static byte[] back(ChipEntity.Ran ran) throws Exception {
        ByteBuffer all = ByteBuffer.allocate((int) ran.back().size());
        TRANSFER.writeWhenAllArrived(ran.back(), List.of(all));
        return all.array();
    }

    @Test
    void runsTheKernelOnNodeCopiesAndAnswersOnlyTheTensorsItMayWrite() throws Exception {
        ChipEntity.Run run = addScalar(ShippingKernels.AddScalar.class.getName(), 10);
        assertEquals(16, run.in().size(), "the OUTPUT's bytes do not go in");
        ChipEntity.Ran ran = chip.run(run);
        assertNull(ran.error());
        assertEquals(NODE, ran.node());
        assertArrayEquals(floats(11, 12, 13, 14), back(ran), "the INPUT does not travel back");
        assertEquals(1, tasksRun.get());
    }

    @Test
    void anOutputStartsFromZerosWhateverTheHeadHolds() throws Exception {
        // OUT += IN: had the head's bytes of the OUTPUT gone in, they would show in the sum.
        TaskArgsSnapshot args = (TaskArgsSnapshot) new TaskArgs().addTensor(IN, TensorArgType.INPUT)
                .addTensor(OUT, TensorArgType.OUTPUT).view();
        ChipEntity.Ran ran = chip.run(run(ShippingKernels.Accumulate.class.getName(), args,
                List.of(floats(1, 2, 3, 4), floats(100, 100, 100, 100))));
        assertArrayEquals(floats(1, 2, 3, 4), back(ran));
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
        assertNull(ran.back());
    }

    @Test
    void aKernelClassMissingOnTheNodeFailsNamingTheClassAndTheNode() {
        ChipEntity.Ran ran = chip.run(addScalar("com.example.NotHere", 1));
        String m = ran.error().message();
        assertTrue(m.contains("com.example.NotHere") && m.contains(NODE) && m.contains("'add'"), m);
        assertEquals(0, tasksRun.get(), "nothing ran");
    }

    @Test
    void inputBytesThatDoNotArriveLoseTheAttemptForTheHeadToRetryIt() {
        TaskArgsSnapshot args = (TaskArgsSnapshot) new TaskArgs().addTensor(IN, TensorArgType.INOUT).addScalar(1)
                .view();
        ChipEntity.Run run = run(ShippingKernels.AddScalar.class.getName(), args, List.of(floats(1, 2, 3, 4)));
        TensorBytes broken = new TensorBytes(IN.nbytes(), null, org.apache.pekko.stream.javadsl.Source
                .<org.apache.pekko.util.ByteString>failed(new IllegalStateException("the head is gone"))
                .runWith(org.apache.pekko.stream.javadsl.StreamRefs.sourceRef(),
                        org.apache.pekko.stream.Materializer.matFromSystem(TRANSFER_SYSTEM)));
        ChipEntity.Ran ran = chip.run(new ChipEntity.Run(run.dispatch(), run.callableName(), run.kernelClass(),
                run.args(), run.plan(), broken, run.config(), 0, run.kernelClasses(), null));
        TRANSFER.discard(run.in());
        assertEquals(AttemptLostException.class.getName(), ran.error().exceptionClass(), ran.error().toString());
        assertTrue(ran.error().message().contains("input bytes did not arrive")
                && ran.error().message().contains(NODE), ran.error().message());
    }

    @Test
    void tensorsAtOneAddressShareOneCopy() throws Exception {
        // One tensor read and written through two arguments: the kernel reads and writes one copy, as on the head.
        TaskArgsSnapshot args = (TaskArgsSnapshot) new TaskArgs().addTensor(IN, TensorArgType.INPUT)
                .addTensor(IN, TensorArgType.OUTPUT).addScalar(1).view();
        ChipEntity.Ran ran = chip.run(run(ShippingKernels.AddScalar.class.getName(), args,
                List.of(floats(1, 2, 3, 4))));
        assertNull(ran.error());
        assertArrayEquals(floats(2, 3, 4, 5), back(ran));
    }

    @Test
    void largeTensorsStreamBothWaysAndTheirCopiesAreFreedOnceTheHeadReadThem() throws Exception {
        int n = 256 * 1024; // 1 MiB of floats each way, streamed
        ContinuousTensor in = ContinuousTensor.of(0x20_0000_0000L, DataType.FLOAT32, n);
        ContinuousTensor out = ContinuousTensor.of(0x30_0000_0000L, DataType.FLOAT32, n);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i;
        }
        TaskArgsSnapshot args = (TaskArgsSnapshot) new TaskArgs().addTensor(in, TensorArgType.INPUT)
                .addTensor(out, TensorArgType.OUTPUT).addScalar(3).view();
        // Room for one task's two copies only: the second task runs only if the first one's were freed.
        try (SharedTensorMemory small = SharedTensorMemory.create(null, 2 * 4L * n + 4096,
                SharedTensorMemory.MIN_REGION)) {
            FreesSeen seen = new FreesSeen(small);
            NodeChip big = new NodeChip(0, NODE, seen, 1, new AtomicLong(), TRANSFER);
            for (int task = 0; task < 2; task++) {
                ChipEntity.Run run = run(ShippingKernels.AddScalar.class.getName(), args,
                        List.of(floats(values), new byte[0]));
                assertTrue(run.in().streamed());
                ChipEntity.Ran ran = big.run(run);
                assertNull(ran.error(), () -> ran.error().message());
                assertTrue(ran.back().streamed());
                ByteBuffer result = ByteBuffer.wrap(back(ran)).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    assertEquals(i + 3f, result.getFloat(i * 4), "element " + i);
                }
                assertTrue(seen.frees.tryAcquire(2, 10, TimeUnit.SECONDS), "both copies freed");
            }
            big.close();
        }
    }

    /** A node's memory that tells each free (a streamed answer's copies go when its stream ends). */
    private static final class FreesSeen implements TensorMemory {
        private final SharedTensorMemory memory;
        final Semaphore frees = new Semaphore(0);

        FreesSeen(SharedTensorMemory memory) {
            this.memory = memory;
        }

        @Override
        public ContinuousTensor allocate(DataType dtype, int... shape) {
            return memory.allocate(dtype, shape);
        }

        @Override
        public void free(ContinuousTensor t) {
            memory.free(t);
            frees.release();
        }

        @Override
        public ByteBuffer bytes(ContinuousTensor t) {
            return memory.bytes(t);
        }

        @Override
        public FloatBuffer floats(ContinuousTensor t) {
            return memory.floats(t);
        }

        @Override
        public IntBuffer ints(ContinuousTensor t) {
            return memory.ints(t);
        }

        @Override
        public LongBuffer longs(ContinuousTensor t) {
            return memory.longs(t);
        }

        @Override
        public void write(ContinuousTensor t, float[] values) {
            memory.write(t, values);
        }

        @Override
        public float[] readFloats(ContinuousTensor t) {
            return memory.readFloats(t);
        }
    }

    @Test
    void anArenaTooSmallFailsNamingTheNodeAndTheSettingAndEndsTheDispatchStream() throws Exception {
        ContinuousTensor huge = ContinuousTensor.of(0x20_0000_0000L, DataType.UINT8, 256 * 1024);
        TaskArgsSnapshot args = (TaskArgsSnapshot) new TaskArgs().addTensor(huge, TensorArgType.INOUT).view();
        CountDownLatch sent = new CountDownLatch(1);
        ChipEntity.Ran ran = chip.run(run(ShippingKernels.AddScalar.class.getName(), args,
                List.of(new byte[256 * 1024]), sent::countDown));
        String m = ran.error().message();
        assertTrue(m.contains(NODE) && m.contains("strata.worker.arena-size") && m.contains("262144-byte"), m);
        assertTrue(sent.await(10, TimeUnit.SECONDS), "the node cancelled the stream it will never read");
        assertEquals(0, tasksRun.get());
    }
}
