package dev.strata.cluster;

import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.util.ByteString;

/**
 * The bytes of a list of tensors, one after the other, as a message field: inline when they are few
 * ({@link TensorTransfer#INLINE_MAX} at most), else a stream of chunks the receiver pulls. Made and read by
 * {@link TensorTransfer}; a streamed one can be read once.
 *
 * @param size   how many bytes
 * @param inline the bytes, or null when they are streamed
 * @param stream the bytes as chunks, or null when they are inline
 */
public record TensorBytes(long size, byte[] inline, SourceRef<ByteString> stream) {
    /** No bytes. */
    public static final TensorBytes NONE = new TensorBytes(0, new byte[0], null);

    public TensorBytes {
        if ((inline == null) == (stream == null)) {
            throw new IllegalArgumentException("tensor bytes are either inline or streamed");
        }
        if (inline != null && inline.length != size) {
            throw new IllegalArgumentException(inline.length + " inline bytes, size says " + size);
        }
    }

    /** Whether the bytes travel as a stream rather than in the message. */
    public boolean streamed() {
        return stream != null;
    }

    @Override
    public String toString() {
        return "TensorBytes[" + size + (streamed() ? " streamed]" : " inline]");
    }
}
