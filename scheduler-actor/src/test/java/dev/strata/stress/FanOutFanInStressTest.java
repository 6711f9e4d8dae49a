package dev.strata.stress;

import static dev.strata.protocol.TensorArgType.INPUT;
import static dev.strata.protocol.TensorArgType.OUTPUT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskContext;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.nio.IntBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The shape that hangs the seed's engine in 12–50 % of runs (a producer's completion landing between
 * linking a consumer and setting its fanin): one producer, {@link #WIDTH} consumers that each read its
 * tensor and write their own, one join that reads all of them — {@link #RUNS} times on one Worker with two
 * sub workers. Every run must return within {@link #RUN_LIMIT}, and the join must see every consumer's
 * output, written in this run after the producer's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(150)
class FanOutFanInStressTest {
    static final int WIDTH = 1_000;
    static final int RUNS = 1_000;
    private static final Duration RUN_LIMIT = Duration.ofSeconds(20);

    private Worker w;
    private final BoundedRunner runner = new BoundedRunner();
    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger consumersDone = new AtomicInteger();
    private final AtomicInteger joins = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    private int produce;
    private int consume;
    private int join;

    @BeforeAll
    void start() {
        w = Worker.builder().numSubWorkers(2).heapRingSize(64 << 20).runTimeout(Duration.ofSeconds(60)).build();
        // Tensors are INT32 [run, index]; scalar 0 is the run.
        produce = w.register(ctx -> write(ctx, 0, ctx.args().scalar(0), -1));
        consume = w.register(ctx -> {
            long run = ctx.args().scalar(0);
            int i = (int) ctx.args().scalar(1);
            IntBuffer in = ctx.memory().ints(ctx.args().tensor(0));
            if (in.get(0) != (int) run || in.get(1) != -1) {
                problems.add("run " + run + " consumer " + i + " read [" + in.get(0) + ", " + in.get(1)
                        + "] before the producer wrote it");
            }
            write(ctx, 1, run, i);
            consumersDone.incrementAndGet();
        });
        join = w.register(ctx -> {
            joins.incrementAndGet();
            long run = ctx.args().scalar(0);
            if (consumersDone.get() != WIDTH) {
                problems.add("run " + run + ": join started after " + consumersDone.get() + " of " + WIDTH
                        + " consumers");
            }
            for (int i = 0; i < ctx.args().tensorCount(); i++) {
                IntBuffer b = ctx.memory().ints(ctx.args().tensor(i));
                if (b.get(0) != (int) run || b.get(1) != i) {
                    problems.add("run " + run + ": join read [" + b.get(0) + ", " + b.get(1) + "] from consumer "
                            + i);
                    break;
                }
            }
        });
        w.init();
    }

    private static void write(TaskContext ctx, int tensor, long run, int index) {
        IntBuffer out = ctx.memory().ints(ctx.args().tensor(tensor));
        out.put(0, (int) run);
        out.put(1, index);
    }

    @AfterAll
    void stop() {
        runner.close();
        if (w != null) {
            w.close();
        }
    }

    @Test
    void oneToThousandToOneCompletesEveryTime() {
        long t0 = System.nanoTime();
        long slowest = 0;
        for (int run = 1; run <= RUNS; run++) {
            consumersDone.set(0);
            joins.set(0);
            long r0 = System.nanoTime();
            int thisRun = run;
            BoundedRunner.Result result = runner.run(w, Task.of((orch, args, cfg) -> {
                TaskArgs p = new TaskArgs().addTensor(ContinuousTensor.of(0, DataType.INT32, 2), OUTPUT)
                        .addScalar(thisRun);
                orch.submitSub(produce, p);
                ContinuousTensor shared = p.tensor(0);
                List<ContinuousTensor> outs = new ArrayList<>(WIDTH);
                for (int i = 0; i < WIDTH; i++) {
                    TaskArgs c = new TaskArgs().addTensor(shared, INPUT)
                            .addTensor(ContinuousTensor.of(0, DataType.INT32, 2), OUTPUT)
                            .addScalar(thisRun).addScalar(i);
                    orch.submitSub(consume, c);
                    outs.add(c.tensor(1));
                }
                TaskArgs j = new TaskArgs();
                outs.forEach(t -> j.addTensor(t, INPUT));
                orch.submitSub(join, j.addScalar(thisRun));
            }), clock, RUN_LIMIT, () -> "fan run " + thisRun + " of " + RUNS);
            slowest = Math.max(slowest, System.nanoTime() - r0);
            String context = "fan run " + run + " of " + RUNS;
            if (result.failure() != null) {
                throw new AssertionError(context + " failed", result.failure());
            }
            assertEquals(List.of(), List.copyOf(problems), context);
            assertEquals(WIDTH, consumersDone.get(), context + ": consumers that ran");
            assertEquals(1, joins.get(), context + ": joins that ran");
            assertEquals(WIDTH + 2, w.lastRun().completedTasks(), context + ": tasks completed");
        }
        System.out.printf("FanOutFanInStressTest: %d runs of 1 -> %d -> 1 in %.1f s (slowest run %.1f ms)%n",
                RUNS, WIDTH, (System.nanoTime() - t0) / 1e9, slowest / 1e6);
    }
}
