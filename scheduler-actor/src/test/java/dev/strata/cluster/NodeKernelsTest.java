package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgsSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Kernels made by class name on a node (the rule of every node mode), and THREAD mode's kernels in this JVM. */
@Timeout(30)
class NodeKernelsTest {
    private static final String NODE = NodeChipTest.NODE;

    @Test
    void makeMakesAKernelByClassName() {
        assertEquals(ShippingKernels.AddScalar.class,
                NodeKernels.make("add", ShippingKernels.AddScalar.class.getName(), NODE).getClass());
    }

    @Test
    void aClassTheNodeCannotMakeFailsNamingKernelClassNodeAndTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeKernels.make("add", "com.example.NotHere", NODE));
        String m = e.getMessage();
        assertTrue(m.startsWith("chip kernel 'add' (class com.example.NotHere) cannot be made on worker node " + NODE),
                m);
        assertTrue(m.contains("class path"), m);
    }

    @Test
    void threadKernelsRunInThisJvmOnTheNodesMemory() throws Exception {
        try (SharedTensorMemory memory = SharedTensorMemory.create(null, 64 * 1024, SharedTensorMemory.MIN_REGION);
             ThreadKernels kernels = new ThreadKernels(0, NODE, memory, 1)) {
            memory.unlink();
            ContinuousTensor in = memory.allocate(DataType.FLOAT32, 2);
            ContinuousTensor out = memory.allocate(DataType.FLOAT32, 2);
            memory.write(in, new float[] {1, 2});
            List<String> head = List.of(ShippingKernels.AddScalar.class.getName());
            kernels.kernel("add", head.get(0), head).run(new TaskArgsSnapshot(List.of(in, out), new long[] {3}),
                    CallConfig.DEFAULT, 0);
            assertEquals(3 + 1, memory.readFloats(out)[0]);
            assertEquals(Thread.currentThread().getName(), ShippingKernels.AddScalar.lastThread,
                    "block 0 runs on the calling thread");
            assertThrows(IllegalArgumentException.class, () -> kernels.kernel("x", "com.example.NotHere", head));
        }
    }
}
