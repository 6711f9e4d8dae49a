package dev.strata.cluster;

import dev.strata.config.ClusterSettings;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The head joining its cluster: joins the seed nodes (or, with none configured, forms a cluster of its own that
 * worker nodes then join), and waits until {@code strata.cluster.min-worker-nodes} worker nodes are up, else fails
 * after {@code strata.cluster.join-timeout} saying how many it saw and which seed nodes it tried.
 */
public final class HeadJoin {
    private HeadJoin() {
    }

    /**
     * Joins and waits as described above; returns the addresses of the worker nodes up at that moment.
     *
     * @throws ClusterJoinException after the join timeout, with the count, the seed nodes and the word "worker"
     */
    public static List<String> await(ActorSystem<?> system, ClusterSettings settings) {
        Cluster cluster = Cluster.get(system);
        List<String> seeds = MemberConfig.seedNodes(system.settings().config());
        if (seeds.isEmpty()) {
            // No seed node configured: this head is the first member and the worker nodes name it as their seed.
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
        int wanted = settings.minWorkerNodes();
        if (wanted == 0) {
            return List.of();
        }
        AtomicReference<List<String>> seen = new AtomicReference<>(List.of());
        CompletableFuture<List<String>> enough = new CompletableFuture<>();
        system.systemActorOf(watcher(wanted, seen, enough), "strata-worker-node-wait", Props.empty());
        try {
            List<String> nodes = enough.get(settings.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
            system.log().info("cluster: {} worker node(s) up: {}", nodes.size(), nodes);
            return nodes;
        } catch (TimeoutException e) {
            throw new ClusterJoinException(timeoutMessage(settings, seen.get(), seeds,
                    cluster.selfMember().address().toString(), cluster.selfMember().status() == MemberStatus.up()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterJoinException("interrupted while waiting for worker nodes to join the cluster", e);
        } catch (ExecutionException e) {
            throw new ClusterJoinException("waiting for worker nodes failed: " + e.getCause(), e.getCause());
        }
    }

    /** The error of a head that did not see enough worker nodes in time; names what to check. */
    static String timeoutMessage(ClusterSettings settings, List<String> seen, List<String> seeds, String self,
                                 boolean selfUp) {
        String tried = seeds.isEmpty() ? "none configured (pekko.cluster.seed-nodes is empty, so this head formed"
                + " a cluster of its own at " + self + ")" : String.join(", ", seeds);
        return String.format(Locale.ROOT, "the cluster has %d of %d worker node(s) needed up after %s"
                        + " (strata.cluster.min-worker-nodes = %d, strata.cluster.join-timeout): worker nodes up: %s;"
                        + " seed nodes tried: %s;%s start worker nodes with `strata node <node.conf>` whose"
                        + " pekko.cluster.seed-nodes name a reachable member",
                seen.size(), settings.minWorkerNodes(), seconds(settings.joinTimeout()), settings.minWorkerNodes(),
                seen.isEmpty() ? "none" : seen, tried,
                selfUp ? "" : " this head (" + self + ") itself never became an Up member;");
    }

    /** {@code 60 s}, {@code 1.5 s}: how the configuration writes a duration, not ISO's {@code PT1M}. */
    static String seconds(java.time.Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
    }

    /** Counts up worker nodes from membership events until there are enough, then stops. */
    private static Behavior<ClusterEvent.MemberEvent> watcher(int wanted, AtomicReference<List<String>> seen,
                                                              CompletableFuture<List<String>> enough) {
        return Behaviors.setup(ctx -> {
            Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.getSelf(),
                    ClusterEvent.MemberEvent.class));
            WorkerNodes nodes = new WorkerNodes();
            return Behaviors.receive(ClusterEvent.MemberEvent.class)
                    .onAnyMessage(event -> {
                        Member m = event.member();
                        if (nodes.onMember(m.address().toString(), m.getRoles(), m.status() == MemberStatus.up())) {
                            seen.set(nodes.addresses());
                        }
                        if (nodes.count() >= wanted) {
                            enough.complete(nodes.addresses());
                            return Behaviors.stopped();
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
