package dev.strata.stress;

import static dev.strata.protocol.TensorArgType.INOUT;
import static dev.strata.protocol.TensorArgType.INPUT;
import static dev.strata.protocol.TensorArgType.NO_DEP;
import static dev.strata.protocol.TensorArgType.OUTPUT;
import static dev.strata.protocol.TensorArgType.OUTPUT_EXISTING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.protocol.TensorArgType;
import dev.strata.stress.SequentialModel.Alloc;
import dev.strata.stress.SequentialModel.Arg;
import dev.strata.stress.SequentialModel.Op;
import dev.strata.stress.SequentialModel.ScopeBegin;
import dev.strata.stress.SequentialModel.ScopeEnd;
import dev.strata.stress.SequentialModel.Submit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The model itself, on hand-made runs: the seed's tag rules, nothing stricter. */
@Timeout(10)
class SequentialModelTest {
    private static final long X = 0x1000;
    private static final long Y = 0x2000;
    private final List<Op> ops = new ArrayList<>();

    private int task(Object... tensorsAndTags) {
        return group(List.of(args(tensorsAndTags)));
    }

    private int group(List<List<Arg>> members) {
        ops.add(new Submit(members));
        return nodesSoFar() - 1;
    }

    private static List<Arg> args(Object... tensorsAndTags) {
        List<Arg> a = new ArrayList<>();
        for (int i = 0; i < tensorsAndTags.length; i += 2) {
            a.add(new Arg((Long) tensorsAndTags[i], (TensorArgType) tensorsAndTags[i + 1]));
        }
        return a;
    }

    private int nodesSoFar() {
        return (int) ops.stream().filter(o -> o instanceof Submit || o instanceof Alloc).count();
    }

    private SequentialModel model() {
        return new SequentialModel(ops);
    }

    @Test
    void inputWaitsForTheLastWriter() {
        task(X, OUTPUT);
        int w = task(X, OUTPUT_EXISTING);
        int r = task(X, INPUT);
        assertArrayEquals(new int[] {w}, model().producers(r));
    }

    @Test
    void outputAndOutputExistingWaitForNobody() {
        int r = task(X, INPUT);
        task(X, OUTPUT);
        int o = task(X, OUTPUT);
        int oe = task(X, OUTPUT_EXISTING);
        SequentialModel m = model();
        assertArrayEquals(new int[0], m.producers(o), "no write after write");
        assertArrayEquals(new int[0], m.producers(oe), "no write after write");
        assertEquals(List.of(r), m.readersItMayOvertake(1), "no write after read");
    }

    @Test
    void inoutWaitsForTheLastWriterOnlyNotItsReaders() {
        int w = task(X, OUTPUT);
        int r1 = task(X, INPUT);
        int r2 = task(X, INPUT);
        int io = task(X, INOUT);
        int r3 = task(X, INPUT);
        SequentialModel m = model();
        assertArrayEquals(new int[] {w}, m.producers(io));
        assertEquals(List.of(r1, r2), m.readersItMayOvertake(io));
        assertArrayEquals(new int[] {io}, m.producers(r3));
    }

    @Test
    void noDepNeitherWaitsNorWrites() {
        int w = task(X, OUTPUT);
        int n = task(X, NO_DEP);
        int r = task(X, INPUT);
        SequentialModel m = model();
        assertArrayEquals(new int[0], m.producers(n));
        assertArrayEquals(new int[] {w}, m.producers(r));
    }

    @Test
    void aProducerIsCountedOnceAndAddressZeroIsNoTensor() {
        int w = task(X, OUTPUT, Y, OUTPUT);
        int r = task(X, INPUT, Y, INOUT, 0L, INPUT, 0L, NO_DEP);
        assertArrayEquals(new int[] {w}, model().producers(r));
    }

    @Test
    void groupNeverDependsOnItselfAndWalksItsTensorsInOrder() {
        int w = task(X, OUTPUT);
        int readFirst = group(List.of(args(X, INPUT), args(X, OUTPUT)));
        task(Y, OUTPUT);
        int writeFirst = group(List.of(args(Y, OUTPUT), args(Y, INPUT)));
        int after = task(X, INPUT, Y, INPUT);
        SequentialModel m = model();
        assertArrayEquals(new int[] {w}, m.producers(readFirst), "member 0 reads before member 1 writes");
        assertArrayEquals(new int[0], m.producers(writeFirst), "member 1 finds the group itself: skipped");
        assertArrayEquals(new int[] {readFirst, writeFirst}, m.producers(after));
        assertEquals(2, m.width(writeFirst));
    }

    @Test
    void aTaskThatWritesThenReadsABufferDoesNotWaitForItsPreviousWriter() {
        task(X, OUTPUT);
        int t = task(X, OUTPUT, X, INPUT);
        assertArrayEquals(new int[0], model().producers(t));
    }

    @Test
    void allocIsACompletedWriterAndScopesDoNotChangeOrdering() {
        ops.add(new ScopeBegin());
        ops.add(new Alloc(X));
        int a = 0;
        int io = task(X, INOUT);
        ops.add(new ScopeEnd());
        int r = task(X, INPUT);
        SequentialModel m = model();
        assertEquals(SequentialModel.Kind.ALLOC, m.kind(a));
        assertArrayEquals(new int[] {a}, m.producers(io));
        assertArrayEquals(new int[] {io}, m.producers(r), "a consumed writer has completed: still 'after' it");
        assertArrayEquals(new int[] {io, r}, m.tasks());
    }

    @Test
    void failuresSkipExactlyTheTransitiveDependents() {
        int f = task(X, OUTPUT);
        int dep = task(X, INOUT);
        int depOfDep = task(X, INPUT, Y, OUTPUT);
        int other = task(Y, INPUT);           // depends on depOfDep: skipped too
        int overwrite = task(X, OUTPUT);      // pure overwrite: no dependency on the failure
        int fresh = task(X, INPUT);           // reads the overwrite: runs
        int alsoThrows = task(Y, INPUT);      // would throw, but is skipped first
        BitSet throwing = new BitSet();
        throwing.set(f);
        throwing.set(alsoThrows);
        SequentialModel m = model();
        BitSet runs = m.runs(throwing);
        assertEquals(List.of(true, false, false, false, true, true, false),
                List.of(runs.get(f), runs.get(dep), runs.get(depOfDep), runs.get(other), runs.get(overwrite),
                        runs.get(fresh), runs.get(alsoThrows)));
        BitSet failing = new BitSet();
        failing.set(f);
        assertEquals(failing, m.failing(throwing), "a thrower that was skipped never failed");
    }

    @Test
    void scopeEndWithoutBeginIsRejected() {
        ops.add(new ScopeEnd());
        assertThrows(IllegalStateException.class, this::model);
    }
}
