package dev.strata.workernode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.cluster.ChipEntity;
import dev.strata.cluster.EngineSetup;
import dev.strata.cluster.NodeChip;
import dev.strata.cluster.NodeChipTest;
import dev.strata.cluster.NodeKernels;
import dev.strata.cluster.ShippingKernels;
import dev.strata.cluster.TensorBytes;
import dev.strata.cluster.TraceBytes;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorArgType;
import dev.strata.protocol.TensorMemory;
import dev.strata.scheduler.OrchFn;
import dev.strata.scheduler.Orchestrator;
import dev.strata.trace.RunTrace;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An engine entity's runner without the cluster: a {@link NodeChip} over {@link EngineKernels} runs a level-4
 * task's orch fn as one run of a level-3 engine started from the node's settings, on copies in the engine's memory.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineKernelsTest {
    private static final String NODE = NodeChipTest.NODE;
    private static final Config NODE_CONFIG = ConfigFactory.parseString("strata.worker { chip-workers = 2,"
            + " sub-workers = 1, arena-size = 1 MiB, heap-ring-size = 1 MiB }").withFallback(ConfigFactory.load())
            .resolve();
    private static final String ADD = ShippingKernels.AddScalar.class.getName();
    private static final EngineSetup SETUP = new EngineSetup(3, List.of("add"), List.of(ADD), true, 60_000);
    private static final ActorTestKit SERIALIZATION = ActorTestKit.create();

    private final AtomicLong tasksRun = new AtomicLong();
    private final EngineKernels kernels = new EngineKernels(0, NODE, NODE_CONFIG);
    private final NodeChip engine = new NodeChip(0, NODE, kernels, tasksRun, NodeChipTest.TRANSFER);

    /** Level 3: out = in + scalar 1, by chip kernel scalar 0, as one chip task. */
    public static final class AddOnAChip implements OrchFn {
        @Override
        public void run(Orchestrator orch, TaskArgsView args, CallConfig config) {
            orch.submitNextLevel(args.scalar(0), new TaskArgs().addTensor(args.tensor(0), TensorArgType.INPUT)
                    .addTensor(args.tensor(1), TensorArgType.OUTPUT_EXISTING).addScalar(args.scalar(1)), config);
        }
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @AfterAll
    static void stop() {
        SERIALIZATION.shutdownTestKit();
    }

    /** The level-4 dispatch of {@link AddOnAChip} over (in = 1 2 3 4, out) with kernel {@code kernel}. */
    private static ChipEntity.Run task(String orchFnClass, EngineSetup setup, long kernel, float scalar) {
        ChipEntity.Run chipRun = NodeChipTest.addScalar(ADD, 0);
        TaskArgs args = new TaskArgs().addTensor(chipRun.args().tensor(0), TensorArgType.INPUT)
                .addTensor(chipRun.args().tensor(1), TensorArgType.OUTPUT).addScalar(kernel).addScalar((long) scalar);
        ChipEntity.Run r = NodeChipTest.run(orchFnClass, (dev.strata.protocol.TaskArgsSnapshot) args.view(),
                List.of(NodeChipTest.floats(1, 2, 3, 4), NodeChipTest.floats(0, 0, 0, 0)));
        return new ChipEntity.Run(r.dispatch(), "add-on-a-chip", orchFnClass, r.args(), r.plan(), r.in(), r.config(),
                r.groupIndex(), r.kernelClasses(), r.replyTo(), setup);
    }

    @Test
    void runsTheOrchFnAsOneLevel3RunAndAnswersTheBytesItWroteWithItsTrace() throws Exception {
        ChipEntity.Ran ran = engine.run(task(AddOnAChip.class.getName(), SETUP, 0, 10));
        assertNull(ran.error(), () -> ran.error().message());
        assertArrayEquals(NodeChipTest.floats(11, 12, 13, 14), NodeChipTest.back(ran));
        RunTrace below = TraceBytes.read(NodeChipTest.TRANSFER, ran.below());
        assertNotNull(below, "an engine answers with its level-3 run's trace");
        assertEquals(1, below.tasks().size(), "the orch fn's one chip task: " + below);
        assertEquals("add", below.tasks().get(0).callable(), "the head's kernel name, the same id on the engine");
        long epochNow = System.currentTimeMillis() * 1_000_000L;
        assertTrue(Math.abs(below.endNanos() - epochNow) < TimeUnit.SECONDS.toNanos(30),
                "the trace is on the common (epoch) clock: " + below.endNanos() + " vs " + epochNow);
    }

    @Test
    void startsTheEngineOnceAndKeepsItUntilTheSetupChanges() throws Exception {
        assertNull(engine.run(task(AddOnAChip.class.getName(), SETUP, 0, 1)).error());
        TensorMemory first = memoryFor(SETUP);
        assertNull(engine.run(task(AddOnAChip.class.getName(), SETUP, 0, 2)).error());
        assertSame(first, memoryFor(SETUP), "the same engine serves the next task");
        assertEquals(2, tasksRun.get());

        EngineSetup other = new EngineSetup(3, List.of("other", "add"), List.of(ADD, ADD), true, 60_000);
        ChipEntity.Ran ran = engine.run(task(AddOnAChip.class.getName(), other, 1, 5));
        assertNull(ran.error());
        assertArrayEquals(NodeChipTest.floats(6, 7, 8, 9), NodeChipTest.back(ran), "kernel id 1 of the new table");
        assertNotSame(first, memoryFor(other), "another head's kernels: a fresh engine");
    }

    @Test
    void aFailureBelowIsTheAnswersErrorNamingTheEngineAndNodeAndTheEngineStaysUsable() throws Exception {
        ChipEntity.Ran ran = engine.run(task(AddOnAChip.class.getName(), SETUP, 7, 1)); // no kernel 7 on the engine
        assertNotNull(ran.error());
        assertTrue(ran.error().message().contains("engine 0 on worker node " + NODE), ran.error().message());
        assertNull(ran.below(), "no trace with an error");
        assertNull(engine.run(task(AddOnAChip.class.getName(), SETUP, 0, 1)).error(), "usable afterwards");
    }

    @Test
    void refusesWhatAnEngineCannotRun() {
        String missing = engine.run(task("com.example.NoSuchOrchFn", SETUP, 0, 1)).error().message();
        assertTrue(missing.contains("com.example.NoSuchOrchFn") && missing.contains(NODE), missing);

        String level4 = engine.run(task(AddOnAChip.class.getName(), new EngineSetup(4, List.of("add"), List.of(ADD), true, 60_000),
                0, 1)).error().message();
        assertTrue(level4.contains("level-3 engines only"), level4);

        ChipEntity.Run chipTask = NodeChipTest.addScalar(ADD, 1); // no engine setup: meant for a chip entity
        String chip = engine.run(chipTask).error().message();
        assertTrue(chip.contains("without an engine setup"), chip);
    }

    @Test
    void aClosedEngineRunsNothingMore() {
        assertNull(engine.run(task(AddOnAChip.class.getName(), SETUP, 0, 1)).error());
        engine.close();
        String stopped = engine.run(task(AddOnAChip.class.getName(), SETUP, 0, 1)).error().message();
        assertTrue(stopped.contains("stopping"), stopped);
    }

    @Test
    void theLevel4MessagesSurviveCbor() throws Exception {
        ChipEntity.Ran ran = engine.run(task(AddOnAChip.class.getName(), SETUP, 0, 3));
        ChipEntity.Ran inline = new ChipEntity.Ran(4, ran.node(), new TensorBytes(3, new byte[] {1, 2, 3}, null), null,
                ran.below());
        ChipEntity.Ran back = (ChipEntity.Ran) SERIALIZATION.serializationTestKit().verifySerialization(inline, false);
        assertEquals(TraceBytes.read(NodeChipTest.TRANSFER, ran.below()),
                TraceBytes.read(NodeChipTest.TRANSFER, back.below()), "a small trace travels inline");
        assertEquals(SETUP, SERIALIZATION.serializationTestKit().verifySerialization(SETUP, false));
    }

    @Test
    void anEngineSetupIsConsistent() {
        assertThrows(IllegalArgumentException.class, () -> new EngineSetup(3, List.of("a"), List.of(), true, 1));
        assertThrows(IllegalArgumentException.class, () -> new EngineSetup(2, List.of(), List.of(), true, 1));
        assertThrows(IllegalArgumentException.class, () -> new EngineSetup(3, List.of(), List.of(), true, 0));
    }

    /** The memory of the engine {@code setup} runs on now (takes and gives back one use of it). */
    private TensorMemory memoryFor(EngineSetup setup) {
        NodeKernels.Kernel k = kernels.kernel(task(AddOnAChip.class.getName(), setup, 0, 0));
        k.release();
        return k.memory();
    }

    @Test
    void withoutTracingAtTheHeadNoTraceTravels() {
        EngineSetup quiet = new EngineSetup(3, List.of("add"), List.of(ADD), false, 60_000);
        ChipEntity.Ran ran = engine.run(task(AddOnAChip.class.getName(), quiet, 0, 1));
        assertNull(ran.error());
        assertNull(ran.below());
    }

    @Test
    void aReplacedEngineStaysOpenUntilItsLastTasksCopiesAreFreed() {
        NodeKernels.Kernel held = kernels.kernel(task(AddOnAChip.class.getName(), SETUP, 0, 0));
        TensorMemory old = held.memory();
        dev.strata.protocol.ContinuousTensor t = old.allocate(dev.strata.protocol.DataType.FLOAT32, 4);
        EngineSetup other = new EngineSetup(3, List.of("other", "add"), List.of(ADD, ADD), true, 60_000);
        assertNull(engine.run(task(AddOnAChip.class.getName(), other, 1, 1)).error(), "a fresh engine runs");
        old.free(t); // still mapped: a streamed answer may still be read from it
        held.release();
        assertThrows(IllegalStateException.class, () -> old.allocate(dev.strata.protocol.DataType.FLOAT32, 4),
                "closed with its last task");
    }

    /** Waits (bounded) for {@link #RELEASE}: a chip task that outlives its run's timeout. */
    public static final class Held implements dev.strata.protocol.ChipKernel {
        static volatile java.util.concurrent.CountDownLatch RELEASE = new java.util.concurrent.CountDownLatch(0);

        @Override
        public void run(dev.strata.protocol.TaskContext ctx) throws InterruptedException {
            RELEASE.await(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRunThatOutlivesTheHeadsTaskTimeoutEndsThereAndTheNextTaskGetsAFreshEngine() throws Exception {
        Held.RELEASE = new java.util.concurrent.CountDownLatch(1);
        EngineSetup impatient = new EngineSetup(3, List.of("held", "add"), List.of(Held.class.getName(), ADD), true,
                500);
        try {
            ChipEntity.Ran timedOut = engine.run(task(AddOnAChip.class.getName(), impatient, 0, 1));
            assertNotNull(timedOut.error());
            assertTrue(timedOut.error().message().contains("strata.run.timeout"), timedOut.error().message());
        } finally {
            Held.RELEASE.countDown();
        }
        ChipEntity.Ran next = engine.run(task(AddOnAChip.class.getName(), impatient, 1, 2));
        assertNull(next.error(), () -> next.error().message());
        assertArrayEquals(NodeChipTest.floats(3, 4, 5, 6), NodeChipTest.back(next));
    }

    @Test
    void aProcessModeNodeRunsItsEnginesChipsInChildJvms() throws Exception {
        Config processNode = ConfigFactory.parseString("strata.worker { mode = PROCESS, chip-workers = 1,"
                + " sub-workers = 1, arena-size = 1 MiB, heap-ring-size = 1 MiB }").withFallback(NODE_CONFIG).resolve();
        EngineKernels processKernels = new EngineKernels(1, NODE, processNode);
        try (NodeChip processEngine = new NodeChip(1, NODE, processKernels, tasksRun, NodeChipTest.TRANSFER)) {
            ChipEntity.Ran ran = processEngine.run(task(AddOnAChip.class.getName(), SETUP, 0, 20));
            assertNull(ran.error(), () -> ran.error().message());
            assertArrayEquals(NodeChipTest.floats(21, 22, 23, 24), NodeChipTest.back(ran),
                    "the engine's chip, a child JVM, ran the kernel on the engine's memory");
            assertEquals("chip 0", TraceBytes.read(NodeChipTest.TRANSFER, ran.below()).tasks().get(0).worker());
        }
        String stopped = new NodeChip(1, NODE, processKernels, tasksRun, NodeChipTest.TRANSFER)
                .run(task(AddOnAChip.class.getName(), SETUP, 0, 1)).error().message();
        assertTrue(stopped.contains("stopping"), "closing the entity closed its engine and children: " + stopped);
    }
}
