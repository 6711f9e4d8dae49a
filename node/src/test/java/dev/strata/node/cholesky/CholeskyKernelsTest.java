package dev.strata.node.cholesky;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.node.job.LocalTaskContext;
import dev.strata.node.job.LocalTensorMemory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kernel classes and the plan, run directly on a local memory, without an engine. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CholeskyKernelsTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void sequentialPlanFactorisesTheMatrix(int blockDim) {
        int n = 96;
        double[] a = SpdMatrix.random(n, 7);
        TileMatrix m = matrix(n, 32);
        m.load(a);
        TiledCholeskyJob.factorSequentially(m, CholeskyPlan.rightLooking(3), blockDim);
        double residual = SpdMatrix.relativeResidual(a, m.lowerTriangle(), n);
        assertTrue(residual < 1e-6, "residual " + residual);
    }

    @Test
    void blockDimDoesNotChangeTheFactor() {
        int n = 128;
        double[] a = SpdMatrix.random(n, 3);
        TileMatrix one = matrix(n, 32);
        TileMatrix five = matrix(n, 32);
        one.load(a);
        five.load(a);
        TiledCholeskyJob.factorSequentially(one, CholeskyPlan.rightLooking(4), 1);
        TiledCholeskyJob.factorSequentially(five, CholeskyPlan.rightLooking(4), 5);
        assertArrayEquals(one.lowerTriangle(), five.lowerTriangle());
    }

    @Test
    void gemmBlocksRunInParallelOnDisjointRows() throws Exception {
        int ts = 64;
        LocalTensorMemory memory = new LocalTensorMemory(1 << 20);
        TileMatrix m = TileMatrix.allocate(memory, 3 * ts, ts);
        m.load(SpdMatrix.random(3 * ts, 11));
        float[] before = memory.readFloats(m.tile(2, 1));
        TaskArgs args = TileOp.gemm(2, 1, 0).args(m);

        float[] expected = before.clone();
        TileMath.gemm(memory.readFloats(m.tile(2, 0)), TileMathTest.transposed(memory.readFloats(m.tile(1, 0)), ts), expected, ts, 0, ts);

        int blocks = 4;
        CallConfig config = new CallConfig(blocks, 3, false);
        ExecutorService pool = Executors.newFixedThreadPool(blocks);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                LocalTaskContext ctx = new LocalTaskContext(args.view(), config, memory, 0, b);
                done.add(pool.submit(() -> {
                    new GemmKernel().run(ctx);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(expected, memory.readFloats(m.tile(2, 1)));
    }

    @Test
    void planHasTheExpectedCallsAndTags() {
        for (int t = 1; t <= 6; t++) {
            List<TileOp> plan = CholeskyPlan.rightLooking(t);
            assertEquals(CholeskyPlan.taskCount(t), plan.size());
            assertEquals(t * (t - 1) * (t - 2) / 6, plan.stream().filter(op -> op.kernel() == CholeskyKernel.GEMM).count());
        }
        assertEquals(120, CholeskyPlan.taskCount(8));
        TileMatrix m = matrix(4 * 8, 8);
        for (TileOp op : CholeskyPlan.rightLooking(4)) {
            TaskArgs args = op.args(m);
            int last = args.tensorCount() - 1;
            assertEquals(TensorArgType.INOUT, args.tag(last), op + ": the updated tile is the last, INOUT");
            for (int i = 0; i < last; i++) {
                assertEquals(TensorArgType.INPUT, args.tag(i), op + ": every other tile is INPUT");
            }
        }
    }

    @Test
    void kernelsAreLoadableByName() throws Exception {
        Set<String> names = new HashSet<>();
        for (CholeskyKernel k : CholeskyKernel.values()) {
            Class<? extends ChipKernel> type = k.newKernel().getClass();
            assertTrue(Modifier.isPublic(type.getModifiers()) && !type.isSynthetic(), type + " must be a public class");
            ChipKernel loaded = (ChipKernel) Class.forName(type.getName()).getConstructor().newInstance();
            assertEquals(type, loaded.getClass());
            names.add(k.kernelName());
        }
        assertEquals(Set.of("potrf", "trsm", "syrk", "gemm"), names);
    }

    @Test
    void residualOfTheExactFactorIsTinyAndOfAWrongOneIsNot() {
        int n = 16;
        double[] a = SpdMatrix.random(n, 5);
        double[] l = TileMathTest.referenceCholesky(a, n);
        assertTrue(SpdMatrix.relativeResidual(a, l, n) < 1e-14);
        l[n + 0] += 0.5;
        assertTrue(SpdMatrix.relativeResidual(a, l, n) > 1e-3);
    }

    private static TileMatrix matrix(int n, int ts) {
        return TileMatrix.allocate(new LocalTensorMemory(1 << 22), n, ts);
    }
}
