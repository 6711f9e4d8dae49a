package dev.strata.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import dev.strata.protocol.TensorMemory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TouchKernelTest {

    @Test
    void everyByteIsInvertedIncludingTheTailBeyondTheLastWholeLong() {
        try (SharedTensorMemory memory = SharedTensorMemory.create(null, SharedTensorMemory.MIN_REGION,
                SharedTensorMemory.MIN_REGION)) {
            memory.unlink();
            int n = 21; // two whole longs and 5 bytes more
            ContinuousTensor t = memory.allocate(DataType.UINT8, n);
            byte[] before = new byte[n];
            byte[] expected = new byte[n];
            for (int i = 0; i < n; i++) {
                before[i] = (byte) (i * 37);
                expected[i] = (byte) ~before[i];
            }
            memory.bytes(t).put(before);
            TaskArgsSnapshot args = new TaskArgsSnapshot(List.of(t), new long[0]);
            new TouchKernel().run(new TaskContext() {
                @Override
                public TaskArgsView args() {
                    return args;
                }

                @Override
                public CallConfig config() {
                    return CallConfig.DEFAULT;
                }

                @Override
                public TensorMemory memory() {
                    return memory;
                }

                @Override
                public int groupIndex() {
                    return 0;
                }
            });
            byte[] after = new byte[n];
            memory.bytes(t).get(after);
            assertArrayEquals(expected, after);
        }
    }
}
