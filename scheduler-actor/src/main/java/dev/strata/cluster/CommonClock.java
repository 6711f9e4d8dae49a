package dev.strata.cluster;

import dev.strata.trace.RunTrace;
import java.time.Instant;

/**
 * The clock traces cross JVMs on. {@code System.nanoTime()} has a different origin in every JVM, so an engine on a
 * worker node sends its level-3 trace in wall-clock nanoseconds since the epoch, and the head moves it onto its own
 * {@code nanoTime}: then a level-3 task sits inside the level-4 span that carried it. Across machines the alignment
 * is as good as their wall clocks agree (NTP: well under a millisecond on a LAN); on one machine it is exact to the
 * microsecond the wall clock reads.
 */
public final class CommonClock {
    private CommonClock() {
    }

    /** Wall-clock epoch nanoseconds minus {@code System.nanoTime()}, now, in this JVM. */
    static long offsetNanos() {
        long before = System.nanoTime();
        Instant now = Instant.now();
        long after = System.nanoTime();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano() - (before + (after - before) / 2);
    }

    /** {@code trace}, recorded on this JVM's {@code nanoTime}, in epoch nanoseconds (to send it). */
    public static RunTrace toCommon(RunTrace trace) {
        return trace.shifted(offsetNanos());
    }

    /** {@code trace}, in epoch nanoseconds, on this JVM's {@code nanoTime} (once received). */
    public static RunTrace toLocal(RunTrace trace) {
        return trace.shifted(-offsetNanos());
    }
}
