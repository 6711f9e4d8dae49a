package dev.strata.scheduler;

import static dev.strata.protocol.TensorArgType.OUTPUT_EXISTING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A kernel written the way a new user writes one: a public static class nested in a package-private JUnit 5
 * test class (this one) of the user's own package. A child JVM can load and construct it by name, so PROCESS
 * mode accepts it and runs it in a child; the classes a child cannot make are still refused at registration.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NestedKernelProcessModeTest {

    /** Writes [its process's pid, the group index] to INT64 tensor 0. */
    public static final class MyKernel implements ChipKernel {
        public MyKernel() {
        }

        @Override
        public void run(TaskContext ctx) {
            LongBuffer l = ctx.memory().longs(ctx.args().tensor(0));
            l.put(0, ProcessHandle.current().pid());
            l.put(1, ctx.groupIndex());
        }
    }

    /** Not public: a child in another package cannot construct it. */
    static final class PackagePrivateKernel implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
        }
    }

    /** Inner: needs an instance of this test class. */
    public final class InnerKernel implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
        }
    }

    private static Worker processWorker(Path dir) {
        return Worker.fromConfig(ConfigFactory.parseString("strata.worker { mode = PROCESS, chip-workers = 1,"
                + " heap-ring-size = 1 MiB, arena-size = 1 MiB, memory-dir = \"" + dir + "\" }"));
    }

    private static Set<Long> livingDescendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toList());
        }
    }

    @Test
    void kernelNestedInAPackagePrivateTestClassRunsInAChildJvm() throws IOException {
        Path dir = Files.createTempDirectory("strata-nested-kernel-");
        Set<Long> before = livingDescendants();
        try (Worker w = processWorker(dir)) {
            long kernel = w.registerChipCallable("mine", new MyKernel());
            w.init();
            ContinuousTensor out = w.memory().allocate(DataType.INT64, 2);
            w.run(Task.of((orch, args, cfg) ->
                    orch.submitNextLevel(kernel, new TaskArgs().addTensor(out, OUTPUT_EXISTING), CallConfig.DEFAULT)));
            long pid = w.memory().longs(out).get(0);
            assertNotEquals(ProcessHandle.current().pid(), pid, "the kernel ran in a child, not here");
            assertTrue(livingDescendants().contains(pid), "pid " + pid + " is this worker's child JVM");
            assertTrue(w.metrics().getLastRunChipRoundTripP50Micros() > 0, "the round trip is in this engine's metrics");
            w.memory().free(out);
        }
        assertEquals(before, livingDescendants(), "child JVMs left after close");
        assertEquals(List.of(), filesIn(dir), "files left after close");
        Files.delete(dir);
    }

    @Test
    void classesAChildCannotMakeAreStillRefusedWithTheReason() throws IOException {
        Path dir = Files.createTempDirectory("strata-nested-kernel-refused-");
        try (Worker w = processWorker(dir)) {
            String notPublic = assertThrows(IllegalArgumentException.class,
                    () -> w.registerChipCallable("pp", new PackagePrivateKernel())).getMessage();
            assertTrue(notPublic.contains("'pp'") && notPublic.contains("it is not public"), notPublic);
            String inner = assertThrows(IllegalArgumentException.class,
                    () -> w.registerChipCallable("inner", new InnerKernel())).getMessage();
            assertTrue(inner.contains("inner (non-static) class"), inner);
            String lambda = assertThrows(IllegalArgumentException.class,
                    () -> w.registerChipCallable("lambda", ctx -> { })).getMessage();
            assertTrue(lambda.contains("lambda or method reference"), lambda);
            assertEquals(0, w.registerChipCallable("mine", new MyKernel()), "refused kernels take no id");
        }
        Files.delete(dir);
    }
}
