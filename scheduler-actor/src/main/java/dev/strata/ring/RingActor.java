package dev.strata.ring;

import dev.strata.protocol.CborSerializable;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Owns the reclamation side of the {@link HeapRing}: consumed slots arrive here in batches from the
 * scheduler and go back to the ring in FIFO order, which grants the orchestrator new heap room (its
 * credit) and lets {@code Worker.run} see the drain. The orchestrator's side (slot ids, heap head) is the
 * ring's allocate, called on the user thread.
 */
public final class RingActor extends AbstractBehavior<RingActor.Command> {

    /** Messages the ring actor understands. */
    public interface Command extends CborSerializable {
    }

    /** These slots are consumed: reclaim them; {@code failed} lists those among them that failed or were skipped. */
    public record Release(int[] slots, int[] failed) implements Command {
    }

    private final HeapRing ring;

    public static Behavior<Command> create(HeapRing ring) {
        return Behaviors.setup(ctx -> new RingActor(ctx, ring));
    }

    private RingActor(ActorContext<Command> ctx, HeapRing ring) {
        super(ctx);
        this.ring = ring;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder().onMessage(Release.class, this::onRelease).build();
    }

    private Behavior<Command> onRelease(Release r) {
        if (r.failed().length > 0) {
            ring.recordFailed(r.failed()); // before the release, so the orchestrator never sees a gap
        }
        ring.releaseAll(r.slots(), r.slots().length);
        return this;
    }
}
