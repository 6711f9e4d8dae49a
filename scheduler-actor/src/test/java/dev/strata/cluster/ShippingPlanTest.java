package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TensorArgType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ShippingPlanTest {
    private static final ContinuousTensor A = ContinuousTensor.of(0x100, DataType.FLOAT32, 4);
    private static final ContinuousTensor B = ContinuousTensor.of(0x200, DataType.FLOAT32, 4);

    private static ShippingPlan.Shipped only(TensorArgType tag) {
        List<ShippingPlan.Shipped> tensors = ShippingPlan.of(new TaskArgs().addTensor(A, tag).view()).tensors();
        assertEquals(1, tensors.size());
        return tensors.get(0);
    }

    @Test
    void eachTagShipsTheWaysItsKernelMayUseTheBytes() {
        assertEquals(new ShippingPlan.Shipped(A, true, false), only(TensorArgType.INPUT), "read only");
        assertEquals(new ShippingPlan.Shipped(A, false, true), only(TensorArgType.OUTPUT), "written only");
        assertEquals(new ShippingPlan.Shipped(A, true, true), only(TensorArgType.INOUT));
        assertEquals(new ShippingPlan.Shipped(A, true, true), only(TensorArgType.OUTPUT_EXISTING),
                "may be written in part: the rest must be the head's bytes");
        assertEquals(new ShippingPlan.Shipped(A, true, false), only(TensorArgType.NO_DEP), "travels like an input");
    }

    @Test
    void usesOfOneAddressMergeIntoOneTensorShippedEveryWayAnyUseNeeds() {
        ContinuousTensor largerA = ContinuousTensor.of(A.data(), DataType.FLOAT32, 16);
        ShippingPlan plan = ShippingPlan.of(new TaskArgs()
                .addTensor(A, TensorArgType.INPUT)
                .addTensor(B, TensorArgType.INPUT)
                .addTensor(largerA, TensorArgType.OUTPUT)
                .view());
        assertEquals(List.of(new ShippingPlan.Shipped(largerA, true, true), new ShippingPlan.Shipped(B, true, false)),
                plan.tensors());
        assertEquals(List.of(largerA, B), plan.in());
        assertEquals(List.of(largerA), plan.back());
        assertEquals(64 + 16, plan.inBytes());
        assertEquals(64, plan.backBytes());
    }

    @Test
    void aTensorAtAddressZeroTravelsNeitherWay() {
        ShippingPlan plan = ShippingPlan.of(new TaskArgs()
                .addTensor(ContinuousTensor.of(0, DataType.FLOAT32, 8), TensorArgType.INPUT).view());
        assertEquals(List.of(), plan.tensors());
        assertEquals(0, plan.inBytes());
    }

    @Test
    void argumentsWithoutTagsShipEverythingBothWays() {
        ShippingPlan plan = ShippingPlan.of(new TaskArgsSnapshot(List.of(A, B), new long[0]));
        assertEquals(List.of(new ShippingPlan.Shipped(A, true, true), new ShippingPlan.Shipped(B, true, true)),
                plan.tensors());
    }
}
