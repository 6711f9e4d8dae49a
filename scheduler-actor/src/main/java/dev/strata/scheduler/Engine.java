package dev.strata.scheduler;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.chip.ChipWorker;
import dev.strata.config.WorkerSettings;
import dev.strata.dispatch.SchedulerActor;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.SubCallable;
import dev.strata.ring.HeapRing;
import dev.strata.ring.RingActor;
import dev.strata.sub.SubWorker;
import dev.strata.worker.WorkerActor;
import dev.strata.worker.WorkerKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The running parts of one initialised {@link Worker}: the node's tensor memory, the heap ring, and an
 * actor system whose guardian spawns the ring actor, the worker actors and the scheduler.
 */
final class Engine implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    final SharedTensorMemory memory;
    final HeapRing ring;
    final ActorSystem<Void> system;
    final ActorRef<SchedulerActor.Command> scheduler;

    private Engine(SharedTensorMemory memory, HeapRing ring, ActorSystem<Void> system,
                   ActorRef<SchedulerActor.Command> scheduler) {
        this.memory = memory;
        this.ring = ring;
        this.system = system;
        this.scheduler = scheduler;
    }

    /** Maps the memory and starts the actors; fails (cleaning up) if they do not come up in time. */
    static Engine start(WorkerSettings s, Config config, List<SubCallable> subs, List<ChipKernel> kernels,
                        List<String> kernelNames) {
        Path dir = s.memoryDir().isEmpty() ? null : Path.of(s.memoryDir());
        SharedTensorMemory memory = SharedTensorMemory.create(dir, s.arenaSize(), s.heapRingSize());
        HeapRing ring = new HeapRing(memory.heapBase(), memory.heapSize());
        CompletableFuture<ActorRef<SchedulerActor.Command>> started = new CompletableFuture<>();
        ActorSystem<Void> system = null;
        try {
            // One thread per worker actor on the user-code dispatcher, so a slow task blocks only its worker.
            Config actorConfig = ConfigFactory.parseString(
                            "strata.worker.blocking-dispatcher.thread-pool-executor.fixed-pool-size = "
                                    + Math.max(1, s.chipWorkers() + s.subWorkers()))
                    .withFallback(config);
            system = ActorSystem.create(guardian(s, memory, ring, subs, kernels, kernelNames, started), "strata",
                    actorConfig);
            ActorRef<SchedulerActor.Command> scheduler =
                    started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new Engine(memory, ring, system, scheduler);
        } catch (Exception e) {
            if (system != null) {
                system.terminate();
            }
            memory.close();
            throw new IllegalStateException("engine did not start within " + START_TIMEOUT + ": " + e, e);
        }
    }

    private static Behavior<Void> guardian(WorkerSettings s, SharedTensorMemory memory, HeapRing ring,
                                           List<SubCallable> subs, List<ChipKernel> kernels,
                                           List<String> kernelNames,
                                           CompletableFuture<ActorRef<SchedulerActor.Command>> started) {
        return Behaviors.<Void>setup(ctx -> {
            DispatcherSelector userCode = DispatcherSelector.fromConfig(s.dispatcher());
            Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers = new EnumMap<>(WorkerKind.class);
            List<ActorRef<WorkerActor.Command>> chips = new ArrayList<>();
            for (int i = 0; i < s.chipWorkers(); i++) {
                chips.add(ctx.spawn(WorkerActor.create(WorkerKind.CHIP, i,
                        new ChipWorker(i, kernels, memory, s.chipThreads())), "chip-" + i, userCode));
            }
            List<ActorRef<WorkerActor.Command>> subWorkers = new ArrayList<>();
            for (int i = 0; i < s.subWorkers(); i++) {
                subWorkers.add(ctx.spawn(WorkerActor.create(WorkerKind.SUB, i, new SubWorker(subs, memory)),
                        "sub-" + i, userCode));
            }
            workers.put(WorkerKind.CHIP, chips);
            workers.put(WorkerKind.SUB, subWorkers);
            Map<Long, String> names = new HashMap<>();
            for (int i = 0; i < kernelNames.size(); i++) {
                names.put((long) i, kernelNames.get(i));
            }
            ActorRef<RingActor.Command> ringActor = ctx.spawn(RingActor.create(ring), "ring");
            ActorRef<SchedulerActor.Command> scheduler = ctx.spawn(
                    SchedulerActor.create(workers, s.queueDepth(), names, ringActor), "scheduler");
            // If the scheduler or ring ever dies, wake the run that waits for a drain instead of letting it hang.
            ctx.watch(scheduler);
            ctx.watch(ringActor);
            started.complete(scheduler);
            return Behaviors.receive(Void.class)
                    .onSignal(Terminated.class, t -> {
                        ctx.getLog().error("engine actor {} stopped unexpectedly; failing the current run",
                                t.getRef().path());
                        ring.shutdown();
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** Stops every actor (and with them the workers' threads), then unmaps and deletes the memory file. */
    @Override
    public void close() {
        ring.shutdown();
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            system.log().warn("actor system did not stop within {}: {}", STOP_TIMEOUT, e.toString());
        } finally {
            memory.close();
        }
    }
}
