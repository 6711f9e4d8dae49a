package dev.strata.cluster;

import com.typesafe.config.Config;
import dev.strata.process.ClassByName;
import dev.strata.scheduler.OrchFn;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
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
 * {@link NodeChip} runs orch fns on a level-3 engine of its node ({@link EngineKernels}) instead of kernels: the
 * same messages, shipping, de-duplication and failover.
 */
public final class EngineEntities {
    /** The entity type of every engine entity. */
    public static final EntityTypeKey<ChipEntity.Command> KEY =
            EntityTypeKey.create(ChipEntity.Command.class, "strata-engine");

    private EngineEntities() {
    }

    /**
     * On a worker node: starts the region hosting engine entities. Engine {@code i} is a level-3 engine configured by
     * {@code nodeConfig} (the node's resolved settings) and started at its first task ({@link EngineKernels}); its
     * tasks' bytes move with {@code transfer}, each task counts in {@code tasksRun}, and its level-3 runs go on
     * {@code executor} (the node's dispatcher for user code).
     */
    public static ActorRef<ShardingEnvelope<ChipEntity.Command>> host(ActorSystem<?> system, Config nodeConfig,
                                                                      AtomicLong tasksRun, TensorTransfer transfer,
                                                                      Executor executor) {
        String node = system.address().toString();
        return ChipEntities.init(system, KEY, ctx -> {
            int index = Integer.parseInt(ctx.getEntityId());
            return ChipEntity.create(new NodeChip(index, node, new EngineKernels(index, node, nodeConfig), tasksRun,
                    transfer), executor);
        });
    }

    /** On the head (no role {@code worker}): starts the proxy through which it reaches the engine entities. */
    public static ActorRef<ShardingEnvelope<ChipEntity.Command>> proxy(ActorSystem<?> system) {
        return ChipEntities.proxy(system, KEY);
    }

    /** The entity of engine {@code index}, through this member's region or proxy. */
    public static EntityRef<ChipEntity.Command> engine(ActorSystem<?> system, int index) {
        return ClusterSharding.get(system).entityRefFor(KEY, String.valueOf(index));
    }

    /**
     * Checks, at registration, that a worker node can make {@code fn}'s class by name.
     *
     * @throws IllegalArgumentException naming the orch fn, its class and why (a lambda, say) it cannot run there
     */
    public static void requireLoadable(String name, OrchFn fn) {
        Objects.requireNonNull(fn, "orch fn must not be null");
        ClassByName.whyNotConstructible(fn.getClass()).ifPresent(why -> {
            throw new IllegalArgumentException("orch fn '" + name + "' (" + fn.getClass().getName() + ") cannot run"
                    + " on a worker node's engine: " + why + ". A worker node creates its own instance by class name,"
                    + " so register a public top-level or public static nested class with a public no-arg constructor,"
                    + " on the nodes' class path too");
        });
    }
}
