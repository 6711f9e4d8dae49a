package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.trace.RunTrace;
import dev.strata.trace.TaskStatus;
import dev.strata.trace.TaskTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TraceBytesTest {
    private static RunTrace trace(int tasks) {
        List<TaskTrace> list = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            list.add(new TaskTrace(i, 0, 1, "noop", "chip " + (i % 2), new int[] {Math.max(0, i - 1)}, 10L * i,
                    10L * i + 1, 10L * i + 2, 10L * i + 3, 10L * i + 4, false, TaskStatus.COMPLETED));
        }
        return new RunTrace("engine 0", 1, 0, 10L * tasks + 5, List.of("chip 0", "chip 1"), 0, 0, 0, list);
    }

    @Test
    void aSmallTraceTravelsInline() throws Exception {
        RunTrace small = trace(3);
        TensorBytes bytes = TraceBytes.send(NodeChipTest.TRANSFER, small);
        assertFalse(bytes.streamed());
        assertEquals(small, TraceBytes.read(NodeChipTest.TRANSFER, bytes));
    }

    @Test
    void aLargeTraceIsStreamedSoTheAnswerStaysInOneFrame() throws Exception {
        RunTrace large = trace(5_000); // hundreds of KiB of CBOR: more than an Artery frame inline
        TensorBytes bytes = TraceBytes.send(NodeChipTest.TRANSFER, large);
        assertTrue(bytes.streamed(), "more than " + TraceBytes.INLINE_MAX + " bytes go as a stream");
        assertTrue(bytes.size() > TraceBytes.INLINE_MAX);
        assertEquals(large, TraceBytes.read(NodeChipTest.TRANSFER, bytes));
    }
}
