package dev.strata.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TaskErrorTest {

    private static IllegalStateException thrownHere() {
        try {
            throw new IllegalStateException("boom");
        } catch (IllegalStateException e) {
            return e;
        }
    }

    /** Class, method, file and line of each frame (class loader and module do not cross the wire). */
    private static List<String> where(StackTraceElement[] frames) {
        return Arrays.stream(frames)
                .map(f -> f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                .toList();
    }

    @Test
    void roundTripKeepsClassNameMessageAndStackFrames() {
        IllegalStateException original = thrownHere();

        TaskError.RemoteTaskException rebuilt = TaskError.of(original).toException();

        assertEquals(IllegalStateException.class.getName(), rebuilt.exceptionClass());
        assertEquals("boom", rebuilt.getMessage());
        StackTraceElement[] frames = original.getStackTrace();
        assertEquals(where(Arrays.copyOf(frames, Math.min(frames.length, 64))), where(rebuilt.getStackTrace()));
        assertEquals("thrownHere", rebuilt.getStackTrace()[0].getMethodName());
        assertEquals("TaskErrorTest.java", rebuilt.getStackTrace()[0].getFileName());
    }

    @Test
    void rebuiltExceptionPrintsLikeTheOriginal() {
        IllegalStateException original = thrownHere();

        assertEquals(original.toString(), TaskError.of(original).toException().toString());
    }

    @Test
    void causeChainIsFoldedIntoTheMessage() {
        Exception e = new RuntimeException("outer", new java.io.IOException("disk gone"));

        TaskError error = TaskError.of(e);

        assertEquals("outer <- caused by java.io.IOException: disk gone", error.message());
    }

    @Test
    void missingMessageStaysMissing() {
        TaskError error = TaskError.of(new UnsupportedOperationException());

        assertNull(error.message());
        assertNull(error.toException().getMessage());
        assertEquals(UnsupportedOperationException.class.getName(), error.toException().toString());
    }

    @Test
    void relayedFailureKeepsTheOriginalClassName() {
        TaskError first = TaskError.of(thrownHere());

        TaskError relayed = TaskError.of(first.toException());

        assertEquals(IllegalStateException.class.getName(), relayed.exceptionClass());
        assertEquals("boom", relayed.message());
    }

    @Test
    void cyclicCauseChainStillTerminates() {
        Exception top = new Exception("top");
        Exception b = new Exception("b");
        Exception c = new Exception("c");
        top.initCause(b);
        b.initCause(c);
        c.initCause(b);

        TaskError error = TaskError.of(top);

        assertTrue(error.message().startsWith("top <- caused by java.lang.Exception: b <- caused by"),
                error.message());
    }

    @Test
    void stackIsCappedAtSixtyFourFrames() {
        Exception deep = new Exception("deep");
        StackTraceElement[] frames = new StackTraceElement[200];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new StackTraceElement("a.B", "m" + i, "B.java", i);
        }
        deep.setStackTrace(frames);

        TaskError error = TaskError.of(deep);

        assertEquals(64, error.stack().size());
        assertEquals("m63", error.toException().getStackTrace()[63].getMethodName());
    }

    @Test
    void framesWithoutFileOrLineSurvive() {
        StackTraceElement nativeFrame = new StackTraceElement("a.B", "run", null, -2);
        Exception e = new Exception("x");
        e.setStackTrace(new StackTraceElement[] {nativeFrame});

        StackTraceElement back = TaskError.of(e).toException().getStackTrace()[0];

        assertEquals(nativeFrame, back);
        assertTrue(back.isNativeMethod());
    }

    @Test
    void malformedFramesDoNotBreakRebuilding() {
        TaskError error = new TaskError("x.Y", "m", List.of("only.Class", "a.B|m|B.java|notANumber"));

        StackTraceElement[] frames = error.toException().getStackTrace();

        assertEquals("only.Class", frames[0].getClassName());
        assertEquals(-1, frames[1].getLineNumber());
    }

    @Test
    void stackIsCopiedAndNullStackIsEmpty() {
        List<String> stack = new ArrayList<>(List.of("a.B|m|B.java|1"));
        TaskError error = new TaskError("x.Y", "m", stack);

        stack.clear();

        assertEquals(1, error.stack().size());
        assertEquals(List.of(), new TaskError("x.Y", "m", null).stack());
        assertThrows(NullPointerException.class, () -> new TaskError(null, "m", null));
    }

    @Test
    void textRoundTripKeepsClassMessageAndFrames() {
        TaskError error = TaskError.of(new RuntimeException("outer\nsecond line", new IllegalStateException("x")));

        TaskError back = TaskError.fromText(error.toText(Integer.MAX_VALUE));

        assertEquals(error, back);
        assertEquals(where(error.stackTrace()), where(back.toException().getStackTrace()));
    }

    @Test
    void textKeepsAMissingMessageMissingAndAnEmptyStackEmpty() {
        TaskError error = new TaskError("x.Y", null, List.of());

        assertEquals("x.Y\0\0", error.toText(40));
        assertEquals(error, TaskError.fromText(error.toText(40)));
    }

    @Test
    void textCarriesAtMostTheGivenNumberOfFrames() {
        TaskError error = new TaskError("x.Y", "m", List.of("a.B|m1|B.java|1", "a.B|m2|B.java|2", "a.B|m3|B.java|3"));

        TaskError back = TaskError.fromText(error.toText(2));

        assertEquals(List.of("a.B|m1|B.java|1", "a.B|m2|B.java|2"), back.stack());
        assertEquals(List.of(), TaskError.fromText(error.toText(0)).stack());
    }

    @Test
    void nulInsideTheMessageDoesNotShiftTheFields() {
        TaskError error = new TaskError("x.Y", "a\0b", List.of("a.B|m|B.java|1"));

        TaskError back = TaskError.fromText(error.toText(40));

        assertEquals("a b", back.message());
        assertEquals(List.of("a.B|m|B.java|1"), back.stack());
    }

    @Test
    void textCutShortStillDecodes() {
        String text = new TaskError("x.Y", "m", List.of("a.B|m1|B.java|1", "a.B|m2|B.java|22")).toText(40);
        String cut = text.substring(0, text.length() - 9) + "...[truncated]";

        TaskError back = TaskError.fromText(cut);

        assertEquals("x.Y", back.exceptionClass());
        assertEquals("m", back.message());
        StackTraceElement[] frames = back.stackTrace();
        assertEquals(new StackTraceElement("a.B", "m1", "B.java", 1), frames[0]);
        assertEquals("a.B", frames[1].getClassName());
        assertEquals(-1, frames[1].getLineNumber());
        assertEquals("x.Y", TaskError.fromText("x.Y").exceptionClass());
        assertNull(TaskError.fromText("x.Y").message());
    }

    @Test
    void stackTraceDecodesEveryFrameOfOf() {
        IllegalStateException original = thrownHere();

        assertEquals(where(Arrays.copyOf(original.getStackTrace(), Math.min(64, original.getStackTrace().length))),
                where(TaskError.of(original).stackTrace()));
    }
}
