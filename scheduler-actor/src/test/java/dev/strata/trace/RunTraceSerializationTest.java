package dev.strata.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A level-3 run's trace crosses from a worker node to the head: it survives the engine's Jackson CBOR binding. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(30)
class RunTraceSerializationTest {
    @JUnit5TestKit
    ActorTestKit testKit = ActorTestKit.create();

    private <T> T roundTrip(T message) {
        @SuppressWarnings("unchecked")
        T back = (T) testKit.serializationTestKit().verifySerialization(message, false);
        return back;
    }

    @Test
    void aTraceWithRunsBelowRoundTrips() {
        TaskTrace ran = new TaskTrace(2, 1, 2, "gemm", "chip 1", new int[] {0, 1}, 10, 20, 15, 30, 40, true,
                TaskStatus.COMPLETED);
        TaskTrace skipped = new TaskTrace(3, 0, 1, "trsm", "", new int[] {2}, 11, 0, 0, 0, 0, false,
                TaskStatus.SKIPPED);
        RunTrace below = new RunTrace("node", 4, 5, 50, List.of("chip 0", "chip 1"), 1 << 20, 512, 2,
                List.of(ran, skipped), List.of(new TraceMark("chip 1", 25, "retry", "lost"))).named("engine 0 @ h:1");
        RunTrace trace = new RunTrace("head", 1, 0, 60, List.of("engine 0 @ h:1"), 64, 8, 0,
                List.of(new TaskTrace(0, 0, 1, "panel", "engine 0 @ h:1", new int[0], 1, 2, 3, 4, 55, false,
                        TaskStatus.COMPLETED)), List.of(), List.of(below, below.shifted(100)));

        RunTrace back = roundTrip(trace);

        assertEquals(trace, back);
        assertEquals(2, back.below().size());
        assertEquals(below, back.below().get(0));
        assertEquals("engine 0 @ h:1", back.below().get(1).node());
        assertEquals(List.of(0, 1), java.util.Arrays.stream(back.below().get(0).tasks().get(0).producers())
                .boxed().toList());
        assertEquals(List.of(), roundTrip(below).below(), "a trace without runs below keeps none");
    }
}
