package dev.strata.protocol;

/**
 * Marker of every message that may cross a process or node boundary; bound to Jackson CBOR in
 * {@code strata-worker-actor}'s {@code reference.conf}.
 */
public interface CborSerializable {
}
