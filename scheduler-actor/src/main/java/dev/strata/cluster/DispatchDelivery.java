package dev.strata.cluster;

import dev.strata.protocol.CborSerializable;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head's one delivery actor for remote chip answers, a thin shell around {@link PendingDispatches}: every
 * {@link ChipEntity.RunBatch} (and {@link ChipEntity.Run}) names it as {@code replyTo}, so every answer
 * ({@link ChipEntity.RanBatch}, {@link ChipEntity.Ran}) comes here and completes its dispatch (a late one is
 * ignored); it follows the cluster's membership and reachability, fails the dispatches of
 * a removed worker node and, on a periodic tick, those that waited too long without any reachable worker node.
 * It also logs each worker node joining, leaving, becoming unreachable or reachable, and being removed, one line
 * each. Its messages are of several types (answers, cluster events, its tick), hence {@code Object}.
 */
public final class DispatchDelivery {
    // A named logger (not the actor's): users turn the cluster's node lines up or down by this name.
    private static final Logger LOG = LoggerFactory.getLogger(DispatchDelivery.class);

    /** The periodic check of the no-worker timeout. */
    record Tick() implements CborSerializable {
    }

    private DispatchDelivery() {
    }

    /** The actor around {@code pending}, checking the no-worker timeout about ten times per timeout (at most 1 s). */
    public static Behavior<Object> create(PendingDispatches pending, Duration noWorkerTimeout,
                                          TensorTransfer transfer) {
        Duration tick = Duration.ofMillis(Math.max(10, Math.min(1000, noWorkerTimeout.toMillis() / 10)));
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(), ClusterEvent.MemberEvent.class));
            cluster.subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
                    ClusterEvent.ReachabilityEvent.class));
            timers.startTimerWithFixedDelay(new Tick(), tick);
            return Behaviors.receive(Object.class)
                    .onMessage(ChipEntity.Ran.class, ran -> {
                        deliver(pending, transfer, ran);
                        return Behaviors.same();
                    })
                    .onMessage(ChipEntity.RanBatch.class, batch -> {
                        List<ChipEntity.Ran> answers;
                        try {
                            answers = batch.answers();
                        } catch (IllegalArgumentException e) {
                            // A peer's bug, not a reason to stop delivering: its tasks time out and are retried.
                            LOG.error("cluster: ignored a batch of answers from {} that does not decode: {}",
                                    batch.node(), e.getMessage());
                            return Behaviors.same();
                        }
                        for (ChipEntity.Ran ran : answers) {
                            deliver(pending, transfer, ran);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Tick.class, t -> {
                        int failed = pending.expireWithoutWorkers();
                        if (failed > 0) {
                            LOG.error("cluster: no worker node reachable for {}"
                                    + " (strata.cluster.no-worker-timeout): {} chip task(s) failed",
                                    HeadJoin.seconds(noWorkerTimeout), failed);
                        }
                        return Behaviors.same();
                    })
                    .onMessage(ClusterEvent.MemberEvent.class, e -> onMember(pending, e))
                    .onMessage(ClusterEvent.ReachabilityEvent.class, e -> onReachability(pending, e))
                    .build();
        }));
    }

    /** Completes {@code ran}'s dispatch, or ignores it (and ends its stream) when the dispatch was given up. */
    private static void deliver(PendingDispatches pending, TensorTransfer transfer, ChipEntity.Ran ran) {
        if (!pending.answered(ran.dispatch(), ran)) {
            LOG.debug("ignored the late answer of dispatch {} from {}: it was given up", ran.dispatch(), ran.node());
            if (ran.back() != null) {
                transfer.discard(ran.back()); // ends its stream: the node frees its copies now
            }
        }
    }

    private static Behavior<Object> onMember(PendingDispatches pending,
                                             ClusterEvent.MemberEvent event) {
        Member m = event.member();
        if (!m.hasRole(MemberConfig.WORKER_ROLE)) {
            return Behaviors.same();
        }
        String node = m.address().toString();
        pending.onMember(node, m.getRoles(), m.status() == MemberStatus.up());
        int reachable = pending.reachableWorkerNodes();
        if (event instanceof ClusterEvent.MemberUp) {
            LOG.info("cluster: worker node {} joined (up); {} worker node(s) reachable", node, reachable);
        } else if (event instanceof ClusterEvent.MemberLeft) {
            LOG.info("cluster: worker node {} is leaving; {} worker node(s) reachable", node, reachable);
        } else if (event instanceof ClusterEvent.MemberDowned) {
            LOG.warn("cluster: worker node {} was downed; {} worker node(s) reachable", node, reachable);
        } else if (event instanceof ClusterEvent.MemberRemoved r) {
            int lost = pending.removed(node);
            String how = r.previousStatus() == MemberStatus.down() ? "after it was downed" : "after it left";
            String line = "cluster: worker node {} removed {}; {} chip task(s) waiting on it lost (each is"
                    + " dispatched again, up to strata.cluster.max-task-retries); {} worker node(s) reachable";
            if (r.previousStatus() == MemberStatus.down()) {
                LOG.warn(line, node, how, lost, reachable);
            } else {
                LOG.info(line, node, how, lost, reachable);
            }
        }
        return Behaviors.same();
    }

    private static Behavior<Object> onReachability(PendingDispatches pending,
                                                   ClusterEvent.ReachabilityEvent event) {
        Member m = event.member();
        if (!m.hasRole(MemberConfig.WORKER_ROLE)) {
            return Behaviors.same();
        }
        String node = m.address().toString();
        boolean reachable = event instanceof ClusterEvent.ReachableMember;
        pending.onReachability(node, m.getRoles(), reachable);
        if (reachable) {
            LOG.info("cluster: worker node {} is reachable again; {} worker node(s) reachable", node,
                    pending.reachableWorkerNodes());
        } else {
            LOG.warn("cluster: worker node {} is unreachable; its chip tasks wait until it is reachable"
                    + " again or removed; {} worker node(s) reachable", node, pending.reachableWorkerNodes());
        }
        return Behaviors.same();
    }
}
