package dev.strata.node.matmul;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.node.job.LocalTaskContext;
import dev.strata.node.job.LocalTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The GEMM chip kernel called directly on a local memory, one block or several blocks at once. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MatmulKernelTest {
    private static final int ROWS = 13;
    private static final int K = 9;
    private static final int M = 11;

    private final LocalTensorMemory memory = new LocalTensorMemory(1 << 16);
    private final float[] b = values(K * M, 2);
    private final ContinuousTensor ta = tensor(values(ROWS * K, 1), ROWS, K);
    private final ContinuousTensor tb = tensor(b, K, M);
    private final ContinuousTensor tc = tensor(nan(ROWS * M), ROWS, M);

    private ContinuousTensor tensor(float[] values, int rows, int cols) {
        ContinuousTensor t = memory.allocate(DataType.FLOAT32, rows, cols);
        memory.write(t, values);
        return t;
    }

    /** {@code count} random values (the first of a random square matrix). */
    private static float[] values(int count, long seed) {
        return Arrays.copyOf(MatmulMath.random(count, seed), count);
    }

    private static float[] nan(int n) {
        float[] v = new float[n];
        Arrays.fill(v, Float.NaN);
        return v;
    }

    private TaskArgs args() {
        return new TaskArgs().addTensor(ta, TensorArgType.INPUT).addTensor(tb, TensorArgType.INPUT)
                .addTensor(tc, TensorArgType.OUTPUT_EXISTING);
    }

    private float[] expected() {
        float[] c = new float[ROWS * M];
        MatmulMath.multiply(memory.readFloats(ta), b, c, ROWS, K, M);
        return c;
    }

    @Test
    void oneBlockComputesTheWholeTile() throws Exception {
        new MatmulKernel().run(new LocalTaskContext(args().view(), CallConfig.DEFAULT, memory, 0, 0));
        assertArrayEquals(expected(), memory.readFloats(tc));
    }

    @Test
    void blocksRunInParallelOnDisjointRowsAndTogetherGiveTheSameTile() throws Exception {
        int blocks = 4;
        CallConfig config = new CallConfig(blocks, 3, false);
        ExecutorService pool = Executors.newFixedThreadPool(blocks);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int block = 0; block < blocks; block++) {
                LocalTaskContext ctx = new LocalTaskContext(args().view(), config, memory, 0, block);
                done.add(pool.submit(() -> {
                    new MatmulKernel().run(ctx);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(expected(), memory.readFloats(tc));
    }

    @Test
    void aBlockWritesOnlyItsOwnRows() throws Exception {
        new MatmulKernel().run(new LocalTaskContext(args().view(), new CallConfig(2, 3, false), memory, 0, 1));
        float[] c = memory.readFloats(tc);
        int from = ROWS / 2 * M; // block 1 of 2 starts at row 6
        assertTrue(Float.isNaN(c[from - 1]) && !Float.isNaN(c[from]), "rows before 6 untouched");
        assertArrayEquals(Arrays.copyOfRange(expected(), from, c.length), Arrays.copyOfRange(c, from, c.length));
    }

    @Test
    void wrongArgumentsFailSayingWhatTheKernelExpects() {
        TaskArgs two = new TaskArgs().addTensor(ta, TensorArgType.INPUT).addTensor(tb, TensorArgType.INPUT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MatmulKernel()
                .run(new LocalTaskContext(two.view(), CallConfig.DEFAULT, memory, 0, 0)));
        assertEquals("matmul-rows expects 3 tensors (A, B, C), got 2", e.getMessage());
        TaskArgs misfit = new TaskArgs().addTensor(ta, TensorArgType.INPUT).addTensor(ta, TensorArgType.INPUT)
                .addTensor(tc, TensorArgType.OUTPUT_EXISTING);
        e = assertThrows(IllegalArgumentException.class, () -> new MatmulKernel()
                .run(new LocalTaskContext(misfit.view(), CallConfig.DEFAULT, memory, 0, 0)));
        assertTrue(e.getMessage().startsWith("matmul-rows: shapes do not fit C = A x B"), e.getMessage());
    }
}
