package dev.strata.bench;

import static dev.strata.protocol.TensorArgType.INOUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class OneKernelOrchFnTest {

    /** Adds {@code amount} to every float of tensor 0: how many times it ran shows in the values. */
    abstract static class Add implements ChipKernel {
        private final float amount;

        Add(float amount) {
            this.amount = amount;
        }

        @Override
        public void run(TaskContext ctx) {
            FloatBuffer f = ctx.memory().floats(ctx.args().tensor(0));
            for (int i = 0; i < f.limit(); i++) {
                f.put(i, f.get(i) + amount);
            }
        }
    }

    public static final class AddOne extends Add {
        public AddOne() {
            super(1);
        }
    }

    public static final class AddTen extends Add {
        public AddTen() {
            super(10);
        }
    }

    @Test
    void runsTheKernelNamedByScalar0OnceOnTensor0() {
        try (Worker w = Worker.builder().numChipWorkers(2).heapRingSize(4 << 20).build()) {
            w.registerChipCallable("add-one", new AddOne());
            long addTen = w.registerChipCallable("add-ten", new AddTen());
            w.init();
            ContinuousTensor t = w.memory().allocate(DataType.FLOAT32, 4);
            w.memory().write(t, new float[] {0, 1, 2, 3});
            w.run(new Task(new OneKernelOrchFn(), new TaskArgs().addTensor(t, INOUT).addScalar(addTen),
                    CallConfig.DEFAULT));
            assertArrayEquals(new float[] {10, 11, 12, 13}, w.memory().readFloats(t),
                    "add-ten ran once, add-one never");
        }
    }
}
