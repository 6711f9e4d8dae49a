package dev.strata.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskError;
import dev.strata.protocol.TensorArgType;
import dev.strata.trace.TaskStatus;
import dev.strata.trace.TaskTrace;
import dev.strata.trace.TraceMark;
import dev.strata.worker.InjectedFault;
import dev.strata.worker.TaskDone;
import dev.strata.worker.WorkerDispatch;
import dev.strata.worker.WorkerKind;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every message the engine's actors exchange survives Jackson CBOR: under serialize-messages a message
 * that does not is only logged and dropped, so it must be checked here, not discovered as a hang.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(30)
class MessageSerializationTest {
    @JUnit5TestKit
    ActorTestKit testKit = ActorTestKit.create();

    private final TaskArgsSnapshot args = (TaskArgsSnapshot) new TaskArgs()
            .addTensor(ContinuousTensor.of(0x1000, DataType.FLOAT32, 4, 4), TensorArgType.INOUT)
            .addScalar(-7).view();
    private final TaskError error = TaskError.of(new IllegalStateException("boom"));

    private <T> T roundTrip(T message) {
        @SuppressWarnings("unchecked")
        T back = (T) testKit.serializationTestKit().verifySerialization(message, false);
        return back;
    }

    @Test
    void workerMessagesRoundTrip() {
        TestProbe<TaskDone> probe = testKit.createTestProbe();
        WorkerDispatch d = new WorkerDispatch(3, 1, 2, args, new CallConfig(4, 3, true), 7, new int[] {1, 2},
                InjectedFault.fail("boom"), probe.getRef());
        WorkerDispatch back = roundTrip(d);
        assertEquals(args, back.args());
        assertEquals(InjectedFault.fail("boom"), back.fault());
        assertArrayEquals(new int[] {1, 2}, back.after());
        assertEquals(probe.getRef(), back.replyTo());
        assertEquals(new TaskDone(3, 1, WorkerKind.CHIP, 0, error, false),
                roundTrip(new TaskDone(3, 1, WorkerKind.CHIP, 0, error, false)));
    }

    @Test
    void schedulerMessagesRoundTrip() {
        SchedulerActor.Submit submit = roundTrip(new SchedulerActor.Submit(5, WorkerKind.SUB, 1, List.of(args, args),
                CallConfig.DEFAULT, new int[] {2, 4}));
        assertEquals(List.of(args, args), submit.args());
        assertArrayEquals(new int[] {2, 4}, submit.producers());
        assertEquals(new SchedulerActor.AllocSlot(9), roundTrip(new SchedulerActor.AllocSlot(9)));
        assertArrayEquals(new int[] {1, 2, 3}, roundTrip(new SchedulerActor.ScopeEnd(new int[] {1, 2, 3})).slots());
        TestProbe<SchedulerActor.RunOutcome> probe = testKit.createTestProbe();
        assertEquals(probe.getRef(), roundTrip(new SchedulerActor.FinishRun(probe.getRef())).replyTo());
        TaskTrace traced = new TaskTrace(4, 1, 2, "gemm", "chip 1", new int[] {1, 3}, 10, 20, 15, 30, 40, true,
                TaskStatus.FAILED);
        SchedulerActor.RunOutcome outcome = new SchedulerActor.RunOutcome(
                List.of(new SchedulerActor.FailureReport(5, "gemm", "chip 1", 0, error)), 10, 2, 3, 1,
                List.of(traced), List.of(new TraceMark("chip 1", 12, "fault", "gemm slot 4: fail: boom")));
        assertEquals(outcome, roundTrip(outcome));
        assertArrayEquals(new int[] {1, 3}, roundTrip(outcome).trace().get(0).producers());
        SchedulerActor.Submit stamped = roundTrip(new SchedulerActor.Submit(5, WorkerKind.SUB, 1, List.of(args),
                CallConfig.DEFAULT, new int[] {2}, 123456789L));
        assertEquals(123456789L, stamped.submitNanos());
        TaskDone done = new TaskDone(1, 0, WorkerKind.SUB, 1, null, true);
        assertEquals(done, roundTrip(new SchedulerActor.WorkerDone(done)).done());
        TaskDone timed = new TaskDone(2, 0, WorkerKind.CHIP, 0, null, false, 1000L, 2500L);
        assertEquals(timed, roundTrip(new SchedulerActor.WorkerDone(timed)).done());
    }
}
