package dev.strata.cluster;

import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The sharding wiring of level 4's next-level workers: engine {@code i} is entity {@code "i"} of its own entity type,
 * hosted by worker nodes exactly as chips are ({@link ChipEntities}: one per shard, spread evenly, so one per node
 * while there are enough nodes, never passivated). An engine entity is a {@link ChipEntity} whose
 * {@link NodeChip} runs orch fns on a level-3 engine of its node ({@code dev.strata.workernode.EngineKernels})
 * instead of kernels: the same messages, shipping, de-duplication and failover.
 */
public final class EngineEntities {
    /** The entity type of every engine entity. */
    public static final EntityTypeKey<ChipEntity.Command> KEY =
            EntityTypeKey.create(ChipEntity.Command.class, "strata-engine");

    private EngineEntities() {
    }

    /**
     * On a worker node: starts the region hosting engine entities; engine {@code i} runs on {@code engines.apply(i)}
     * (a {@link NodeChip} over the node's level-3 engine, see {@code dev.strata.workernode.EngineKernels}) with its
     * level-3 runs on {@code executor}.
     */
    public static ActorRef<ShardingEnvelope<ChipEntity.Command>> host(ActorSystem<?> system,
                                                                      IntFunction<NodeChip> engines,
                                                                      Executor executor) {
        return ChipEntities.init(system, KEY,
                ctx -> ChipEntity.create(engines.apply(Integer.parseInt(ctx.getEntityId())), executor));
    }

    /** On the head (no role {@code worker}): starts the proxy through which it reaches the engine entities. */
    public static ActorRef<ShardingEnvelope<ChipEntity.Command>> proxy(ActorSystem<?> system) {
        return ChipEntities.proxy(system, KEY);
    }

    /** The entity of engine {@code index}, through this member's region or proxy. */
    public static EntityRef<ChipEntity.Command> engine(ActorSystem<?> system, int index) {
        return ClusterSharding.get(system).entityRefFor(KEY, String.valueOf(index));
    }
}
