package dev.strata.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TaskArgsTest {
    private static final ContinuousTensor A = ContinuousTensor.of(0x100, DataType.FLOAT32, 4);
    private static final ContinuousTensor B = ContinuousTensor.of(0x200, DataType.INT32, 2, 2);
    private static final ContinuousTensor C = ContinuousTensor.of(0, DataType.FLOAT32, 8);

    @Test
    void builderKeepsTensorsTagsAndScalarsInOrder() {
        TaskArgs args = new TaskArgs()
                .addTensor(A, TensorArgType.INPUT)
                .addScalar(7)
                .addTensor(B, TensorArgType.OUTPUT_EXISTING)
                .addScalar(-1);

        assertEquals(2, args.tensorCount());
        assertEquals(2, args.scalarCount());
        assertEquals(A, args.tensor(0));
        assertEquals(B, args.tensor(1));
        assertEquals(TensorArgType.INPUT, args.tag(0));
        assertEquals(TensorArgType.OUTPUT_EXISTING, args.tag(1));
        assertEquals(7, args.scalar(0));
        assertEquals(-1, args.scalar(1));
    }

    @Test
    void manyScalarsGrowPastTheInitialCapacity() {
        TaskArgs args = new TaskArgs();
        for (int i = 0; i < 100; i++) {
            args.addScalar(i * 3L);
        }

        assertEquals(100, args.scalarCount());
        assertEquals(99 * 3L, args.scalar(99));
    }

    @Test
    void scalarIndexBeyondTheCountIsRejected() {
        // the backing array has spare capacity: index 1 must still be out of range
        TaskArgs args = new TaskArgs().addScalar(1);

        assertThrows(IndexOutOfBoundsException.class, () -> args.scalar(1));
    }

    @Test
    void viewCarriesTensorsAndScalarsWithoutTags() {
        TaskArgsView view = new TaskArgs().addTensor(A, TensorArgType.INOUT).addScalar(5).view();

        assertEquals(new TaskArgsSnapshot(List.of(A), new long[] {5}), view);
    }

    @Test
    void viewKeepsTheTagsForTheRuntimeOutsideTheKernelsView() {
        TaskArgsSnapshot view = (TaskArgsSnapshot) new TaskArgs().addTensor(A, TensorArgType.INPUT)
                .addTensor(B, TensorArgType.OUTPUT).view();

        assertEquals(List.of(TensorArgType.INPUT, TensorArgType.OUTPUT), view.tags());
        assertEquals(null, view.withoutTags().tags());
        assertEquals(view, view.withoutTags(), "tags do not count in equality");
        assertEquals(view.hashCode(), view.withoutTags().hashCode());
    }

    @Test
    void aSnapshotWithTagsNeedsOnePerTensor() {
        assertThrows(IllegalArgumentException.class, () -> new TaskArgsSnapshot(List.of(A, B), new long[0],
                List.of(TensorArgType.INPUT)));
    }

    @Test
    void viewIsASnapshotUnaffectedByLaterChanges() {
        TaskArgs args = new TaskArgs().addTensor(A, TensorArgType.INPUT).addScalar(1);
        TaskArgsView view = args.view();

        args.addTensor(B, TensorArgType.OUTPUT).addScalar(2);
        args.setTensor(0, C);

        assertEquals(1, view.tensorCount());
        assertEquals(1, view.scalarCount());
        assertEquals(A, view.tensor(0));
        assertEquals(1, view.scalar(0));
    }

    @Test
    void viewCannotBeModifiedThroughItsAccessors() {
        TaskArgsView view = new TaskArgs().addTensor(A, TensorArgType.INPUT).addScalar(1).view();
        TaskArgsSnapshot snapshot = assertInstanceOf(TaskArgsSnapshot.class, view);

        assertThrows(UnsupportedOperationException.class, () -> snapshot.tensors().add(B));
        snapshot.scalars()[0] = 42;

        assertEquals(1, snapshot.scalar(0));
    }

    @Test
    void snapshotCopiesTheArraysItIsBuiltFrom() {
        long[] scalars = {1, 2};
        TaskArgsSnapshot snapshot = new TaskArgsSnapshot(List.of(A), scalars);

        scalars[0] = 42;

        assertEquals(1, snapshot.scalar(0));
    }

    @Test
    void setTensorReplacesTheTensorAndKeepsItsTag() {
        TaskArgs args = new TaskArgs().addTensor(C, TensorArgType.OUTPUT);

        args.setTensor(0, C.withData(0x400));

        assertEquals(0x400, args.tensor(0).data());
        assertEquals(TensorArgType.OUTPUT, args.tag(0));
    }

    @Test
    void nullTensorOrTagIsRejected() {
        TaskArgs args = new TaskArgs();

        assertThrows(NullPointerException.class, () -> args.addTensor(null, TensorArgType.INPUT));
        assertThrows(NullPointerException.class, () -> args.addTensor(A, null));
        assertEquals(0, args.tensorCount());
    }

    @Test
    void tagsSayWhichTasksWaitAndWhichProduce() {
        assertEquals(List.of(TensorArgType.INPUT, TensorArgType.INOUT),
                List.of(TensorArgType.values()).stream().filter(TensorArgType::looksUpProducer).toList());
        assertEquals(List.of(TensorArgType.OUTPUT, TensorArgType.INOUT, TensorArgType.OUTPUT_EXISTING),
                List.of(TensorArgType.values()).stream().filter(TensorArgType::becomesProducer).toList());
    }
}
