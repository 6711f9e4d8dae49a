package dev.strata.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorArgType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TagCheckTest {
    private SharedTensorMemory memory;
    private ContinuousTensor a;
    private ContinuousTensor b;
    private ContinuousTensor c;

    @BeforeEach
    void setUp() {
        memory = SharedTensorMemory.create(null, 64 * 1024, 64 * 1024);
        a = memory.allocate(DataType.FLOAT32, 16);
        b = memory.allocate(DataType.FLOAT32, 16);
        c = memory.allocate(DataType.FLOAT32, 16);
        memory.floats(a).put(0, 1f).put(1, 2f);
    }

    @AfterEach
    void tearDown() {
        memory.close();
    }

    private TaskArgsView args(TensorArgType tagA, TensorArgType tagB) {
        return new TaskArgs().addTensor(a, tagA).addTensor(b, tagB).addScalar(7).view();
    }

    private void bump(ContinuousTensor t) {
        memory.floats(t).put(5, memory.floats(t).get(5) + 1);
    }

    @Test
    void unchangedInputPasses() {
        TagCheck check = TagCheck.before(args(TensorArgType.INPUT, TensorArgType.OUTPUT), memory);
        assertNotNull(check);
        bump(b); // the OUTPUT
        assertNull(check.after("scale"));
    }

    @Test
    void writtenInputFailsNamingCallablePositionAddressAndSize() {
        TagCheck check = TagCheck.before(args(TensorArgType.OUTPUT, TensorArgType.INPUT), memory);
        bump(b);
        TagViolationException e = assertThrows(TagViolationException.class, () -> check.after("scale"));
        String m = e.getMessage();
        assertTrue(m.contains("INPUT"), m);
        assertTrue(m.contains("'scale'"), m);
        assertTrue(m.contains("tensor 1 of its args"), m);
        assertTrue(m.contains("0x" + Long.toHexString(b.data())), m);
        assertTrue(m.contains(b.nbytes() + " bytes"), m);
        assertTrue(m.contains("declared INPUT but written by the callable"), m);
    }

    @Test
    void writtenNoDepIsAWarningNotAFailure() {
        TagCheck check = TagCheck.before(args(TensorArgType.NO_DEP, TensorArgType.INPUT), memory);
        bump(a);
        String warning = check.after("accumulate");
        assertNotNull(warning);
        assertTrue(warning.contains("NO_DEP") && warning.contains("'accumulate'")
                && warning.contains("tensor 0 of its args"), warning);
    }

    @Test
    void writtenOutputAndInoutAreFine() {
        for (TensorArgType tag : new TensorArgType[] {TensorArgType.OUTPUT, TensorArgType.INOUT,
                TensorArgType.OUTPUT_EXISTING}) {
            TagCheck check = TagCheck.before(args(tag, TensorArgType.INPUT), memory);
            bump(a);
            assertNull(check.after("k"), tag.toString());
        }
        // Nothing but writable tensors: nothing to check at all.
        assertNull(TagCheck.before(args(TensorArgType.INOUT, TensorArgType.OUTPUT), memory));
    }

    @Test
    void inputAliasingAWrittenTensorOfTheSameTaskIsNotChecked() {
        TaskArgsView aliased = new TaskArgs().addTensor(a, TensorArgType.INPUT).addTensor(a, TensorArgType.OUTPUT)
                .addTensor(c, TensorArgType.INPUT).view();
        TagCheck check = TagCheck.before(aliased, memory);
        bump(a);
        assertNull(check.after("inplace"));
    }

    @Test
    void argsWithoutTagsAreNotChecked() {
        TaskArgsView untagged = ((TaskArgsSnapshot) args(TensorArgType.INPUT, TensorArgType.INPUT)).withoutTags();
        assertNull(TagCheck.before(untagged, memory));
    }

    @Test
    void everyWrittenInputIsNamedAndNoDepWritesAlongsideAreMentioned() {
        TaskArgsView three = new TaskArgs().addTensor(a, TensorArgType.INPUT).addTensor(b, TensorArgType.NO_DEP)
                .addTensor(c, TensorArgType.INPUT).view();
        TagCheck check = TagCheck.before(three, memory);
        bump(a);
        bump(b);
        bump(c);
        String m = assertThrows(TagViolationException.class, () -> check.after("k")).getMessage();
        assertTrue(m.contains("tensor 0 of its args") && m.contains("tensor 2 of its args"), m);
        assertTrue(m.contains("NO_DEP tensor 1"), m);
        assertEquals(1, m.split("declared INPUT").length - 1, m);
    }
}
