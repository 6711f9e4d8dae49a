package dev.strata.cluster;

import dev.strata.process.KernelClasses;
import dev.strata.protocol.ChipKernel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The sharding wiring of {@link ChipEntity}: one entity type, hosted only by members with role {@code worker};
 * chip {@code i} is entity {@code "i"} in shard {@code "i"}, so the shard allocation spreads the chips evenly over
 * the worker nodes (the default hash extractor does not); no passivation, since an idle chip must stay where it is.
 * The head lacks the role and gets a proxy of the same type.
 */
public final class ChipEntities {
    /** The entity type of every chip entity. */
    public static final EntityTypeKey<ChipEntity.Command> KEY =
            EntityTypeKey.create(ChipEntity.Command.class, "strata-chip");

    /** How often {@link #awaitHosts} asks the coordinator. */
    private static final Duration POLL = Duration.ofMillis(100);

    private ChipEntities() {
    }

    /**
     * On a worker node: starts the region hosting chip entities; entity {@code i} runs on {@code chips.apply(i)}
     * with its kernels on {@code executor}.
     */
    public static ActorRef<ShardingEnvelope<ChipEntity.Command>> host(ActorSystem<?> system,
                                                                      IntFunction<NodeChip> chips, Executor executor) {
        return init(system, KEY, ctx -> ChipEntity.create(chips.apply(Integer.parseInt(ctx.getEntityId())), executor));
    }

    /** On the head (no role {@code worker}): starts the proxy through which it reaches the chip entities. */
    public static ActorRef<ShardingEnvelope<ChipEntity.Command>> proxy(ActorSystem<?> system) {
        return proxy(system, KEY);
    }

    /** On the head: the proxy of entity type {@code key} (chips, or the engines of level 4). */
    static ActorRef<ShardingEnvelope<ChipEntity.Command>> proxy(ActorSystem<?> system,
                                                               EntityTypeKey<ChipEntity.Command> key) {
        return init(system, key, ctx -> {
            throw new IllegalStateException(key.name() + " entities run on worker nodes only, not on "
                    + system.address());
        });
    }

    /**
     * On the head, after {@code wanted} worker nodes are up: waits until that many nodes have registered their region
     * of entity type {@code key} (chips, or level 4's engines) with the shard coordinator, so the first messages place the chips evenly over all of them (a shard goes
     * to the region with the fewest, among those registered at that moment, and stays there). Asks the coordinator
     * through the head's proxy every {@code POLL} until then; there is no event to subscribe to.
     *
     * @throws ClusterJoinException after {@code timeout}, naming how many regions it saw
     */
    public static void awaitHosts(ActorSystem<?> system, EntityTypeKey<ChipEntity.Command> key, int wanted,
                                  Duration timeout) {
        org.apache.pekko.actor.ActorRef proxy = Adapter.toClassic(proxy(system, key));
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Address> regions = Set.of();
        while (true) {
            try {
                Object answer = Patterns.ask(proxy, ShardRegion.getCurrentRegionsInstance(), POLL.multipliedBy(10))
                        .toCompletableFuture().get();
                regions = ((ShardRegion.CurrentRegions) answer).getRegions();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterJoinException("interrupted while waiting for worker nodes to host " + key.name()
                        + " entities", e);
            } catch (ExecutionException e) {
                // no answer this time (the coordinator is still starting): ask again
            }
            if (regions.size() >= wanted) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ClusterJoinException(regions.size() + " of " + wanted + " worker node(s) host " + key.name()
                        + " entities"
                        + " after " + timeout + " (strata.cluster.join-timeout): " + regions + "; the others are up"
                        + " but their region did not register with the shard coordinator");
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
    }

    /** The entity of chip {@code chipIndex}, through this member's region or proxy. */
    public static EntityRef<ChipEntity.Command> chip(ActorSystem<?> system, int chipIndex) {
        return ClusterSharding.get(system).entityRefFor(KEY, String.valueOf(chipIndex));
    }

    static ActorRef<ShardingEnvelope<ChipEntity.Command>> init(
            ActorSystem<?> system, EntityTypeKey<ChipEntity.Command> key,
            org.apache.pekko.japi.function.Function<org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext<
                    ChipEntity.Command>, Behavior<ChipEntity.Command>> create) {
        return ClusterSharding.get(system).init(Entity.of(key, create)
                .withRole(MemberConfig.WORKER_ROLE)
                .withMessageExtractor(new ChipShards())
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
    }

    /**
     * Checks, at registration in cluster mode, that a worker node can make {@code kernel}'s class by name.
     *
     * @throws IllegalArgumentException naming the kernel, its class and why (a lambda, say) it cannot run there
     */
    public static void requireLoadable(String name, ChipKernel kernel) {
        KernelClasses.requireLoadable(name, kernel, "on a worker node (strata.cluster.enabled = true)",
                "A worker node", ", on the nodes' class path too");
    }

    /** Chip {@code i} is entity {@code "i"} in shard {@code "i"}: one chip per shard, spread evenly. */
    static final class ChipShards extends ShardingMessageExtractor<ShardingEnvelope<ChipEntity.Command>,
            ChipEntity.Command> {
        @Override
        public String entityId(ShardingEnvelope<ChipEntity.Command> envelope) {
            return envelope.entityId();
        }

        @Override
        public String shardId(String entityId) {
            return entityId;
        }

        @Override
        public ChipEntity.Command unwrapMessage(ShardingEnvelope<ChipEntity.Command> envelope) {
            return envelope.message();
        }
    }
}
