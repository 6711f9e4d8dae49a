package dev.strata.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class InFlightDispatchesTest {
    private final InFlightDispatches order = new InFlightDispatches();

    private static WorkerDispatch d(int slot, int epoch, int... after) {
        return member(slot, 0, epoch, after);
    }

    private static WorkerDispatch member(int slot, int groupIndex, int epoch, int... after) {
        return new WorkerDispatch(slot, groupIndex, 0, TaskArgsSnapshot.EMPTY, CallConfig.DEFAULT, epoch, after, null, null);
    }

    private static List<Integer> slots(List<InFlightDispatches.Released> released,
                                       InFlightDispatches.Decision decision) {
        return released.stream().filter(r -> r.decision() == decision).map(r -> r.dispatch().slot()).toList();
    }

    @Test
    void aDispatchBehindAProducerInFlightWaitsAndStartsWhenItSucceeds() {
        assertEquals(InFlightDispatches.Decision.START, order.arrived(d(1, 0)));
        assertEquals(InFlightDispatches.Decision.HOLD, order.arrived(d(2, 0, 1)));
        assertEquals(InFlightDispatches.Decision.HOLD, order.arrived(d(3, 0, 2)), "behind a held one");
        assertEquals(InFlightDispatches.Decision.START, order.arrived(d(4, 0)), "an independent one goes at once");
        assertEquals(4, order.inFlight());
        List<InFlightDispatches.Released> released = order.ended(0, 1, false);
        assertEquals(List.of(2), slots(released, InFlightDispatches.Decision.START));
        assertEquals(List.of(3), slots(order.ended(0, 2, false), InFlightDispatches.Decision.START));
        assertEquals(List.of(), order.ended(0, 4, false));
        order.ended(0, 3, false);
        assertEquals(0, order.inFlight());
    }

    @Test
    void aFailedProducerSkipsWhatWaitsBehindItTransitivelyButNotTheOthers() {
        order.arrived(d(1, 0));
        order.arrived(d(2, 0));
        order.arrived(d(3, 0, 1));
        order.arrived(d(4, 0, 3));
        order.arrived(d(5, 0, 2));
        List<InFlightDispatches.Released> released = order.ended(0, 1, true);
        assertEquals(List.of(3, 4), slots(released, InFlightDispatches.Decision.SKIP));
        assertEquals(List.of(), slots(released, InFlightDispatches.Decision.START));
        assertEquals(InFlightDispatches.Decision.SKIP, order.arrived(d(6, 0, 4)), "after a skipped one");
        assertEquals(List.of(5), slots(order.ended(0, 2, false), InFlightDispatches.Decision.START));
    }

    @Test
    void aGroupsMembersOnOneWorkerAllEndBeforeAConsumerStarts() {
        order.arrived(member(1, 0, 0));
        order.arrived(member(1, 1, 0));
        assertEquals(InFlightDispatches.Decision.HOLD, order.arrived(d(2, 0, 1)));
        assertEquals(List.of(), order.ended(0, 1, false), "one member still runs");
        assertEquals(List.of(2), slots(order.ended(0, 1, false), InFlightDispatches.Decision.START));
    }

    @Test
    void aNewEpochForgetsTheLastRunsSlotsAndAnEndFromItChangesNothing() {
        order.arrived(d(1, 0));
        order.ended(0, 1, true);
        order.arrived(d(2, 0));
        assertEquals(InFlightDispatches.Decision.START, order.arrived(d(3, 1, 1)), "slot 1 of run 1 is new");
        assertEquals(List.of(), order.ended(0, 2, true));
        assertEquals(InFlightDispatches.Decision.HOLD, order.arrived(d(4, 1, 3)));
        assertEquals(InFlightDispatches.Decision.START, order.arrived(d(5, 1, 2)), "run 0's slot 2 is not run 1's");
    }
}
