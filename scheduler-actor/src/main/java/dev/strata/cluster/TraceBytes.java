package dev.strata.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.strata.trace.RunTrace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A level-3 run's trace as it travels back with an engine's answer: Jackson CBOR bytes moved like a tensor's
 * ({@link TensorTransfer}: inline when small, streamed when large), so a run of any number of tasks fits, whereas a
 * trace inside the answer message could outgrow Artery's frame and the answer would be dropped.
 */
public final class TraceBytes {
    private static final ObjectMapper CBOR = new CBORMapper();
    /**
     * The most bytes of a trace that go inline: small beside the answer's inline tensor bytes, so an answer stays well
     * inside one Artery frame; a larger trace is streamed.
     */
    static final int INLINE_MAX = 16 * 1024;

    private TraceBytes() {
    }

    /** {@code trace}'s bytes, sent with {@code transfer}. */
    static TensorBytes send(TensorTransfer transfer, RunTrace trace) {
        try {
            return transfer.send(List.of(ByteBuffer.wrap(CBOR.writeValueAsBytes(trace))), () -> { }, INLINE_MAX);
        } catch (IOException e) {
            throw new UncheckedIOException("a level-3 trace could not be encoded", e);
        }
    }

    /** The trace {@code bytes} carry, once they have all arrived. */
    public static RunTrace read(TensorTransfer transfer, TensorBytes bytes)
            throws Exception {
        if (bytes.size() > Integer.MAX_VALUE) {
            throw new IOException("a level-3 trace of " + bytes.size() + " bytes is too large to read");
        }
        ByteBuffer all = ByteBuffer.allocate((int) bytes.size());
        transfer.writeWhenAllArrived(bytes, List.of(all));
        return CBOR.readValue(all.array(), RunTrace.class);
    }
}
