package dev.strata.scheduler;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.chip.ChipWorker;
import dev.strata.config.WorkerSettings;
import dev.strata.dispatch.SchedulerActor;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.metrics.EngineMetrics;
import dev.strata.metrics.ProgressCounters;
import dev.strata.process.ChipProcess;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.SubCallable;
import dev.strata.ring.HeapRing;
import dev.strata.sub.SubWorker;
import dev.strata.worker.GroupTaskWorker;
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
 * actor system whose guardian spawns the worker actors and the scheduler (which releases to the ring).
 */
final class Engine implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String ENGINE_DISPATCHER = "strata.worker.engine-dispatcher";

    final SharedTensorMemory memory;
    final HeapRing ring;
    final ActorSystem<Void> system;
    final ActorRef<SchedulerActor.Command> scheduler;
    /** Live counts: written only by the scheduler actor, read by Worker.progress() and JMX. */
    final ProgressCounters progress;
    final EngineMetrics metrics;
    /** Every worker, in trace-lane order: chips, then sub workers. */
    final List<String> workerNames;
    /** The node, for traces: this engine's actor system address. */
    final String node;
    private final List<ChipProcess> chipProcesses;

    private Engine(SharedTensorMemory memory, HeapRing ring, ActorSystem<Void> system,
                   ActorRef<SchedulerActor.Command> scheduler, List<ChipProcess> chipProcesses,
                   ProgressCounters progress, EngineMetrics metrics, List<String> workerNames) {
        this.memory = memory;
        this.ring = ring;
        this.system = system;
        this.scheduler = scheduler;
        this.chipProcesses = chipProcesses;
        this.progress = progress;
        this.metrics = metrics;
        this.workerNames = workerNames;
        this.node = system.address().toString();
    }

    /** Maps the memory and starts the actors; fails (cleaning up) if they do not come up in time. */
    static Engine start(WorkerSettings s, Config config, List<SubCallable> subs, List<ChipKernel> kernels,
                        List<String> kernelNames) {
        Path dir = s.memoryDir().isEmpty() ? null : Path.of(s.memoryDir());
        SharedTensorMemory memory = SharedTensorMemory.create(dir, s.arenaSize(), s.heapRingSize());
        HeapRing ring = new HeapRing(memory.heapBase(), memory.heapSize());
        List<ChipProcess> processes = new ArrayList<>();
        List<GroupTaskWorker> chips = new ArrayList<>();
        try {
            for (int i = 0; i < s.chipWorkers(); i++) {
                if (s.mode() == WorkerMode.PROCESS) {
                    ChipProcess p = new ChipProcess(i, kernelNames, kernels, memory, s.chipThreads(), s.process());
                    processes.add(p);
                    chips.add(p);
                } else {
                    chips.add(new ChipWorker(i, kernels, memory, s.chipThreads()));
                }
            }
            // Every child starts (and is ready) before the first task can be dispatched.
            ChipProcess.startAll(processes);
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
        CompletableFuture<ActorRef<SchedulerActor.Command>> started = new CompletableFuture<>();
        ProgressCounters progress = new ProgressCounters();
        ActorSystem<Void> system = null;
        try {
            // One thread per worker actor on the user-code dispatcher, so a slow task blocks only its worker.
            Config actorConfig = ConfigFactory.parseString(
                            "strata.worker.blocking-dispatcher.thread-pool-executor.fixed-pool-size = "
                                    + Math.max(1, s.chipWorkers() + s.subWorkers()))
                    .withFallback(config);
            system = ActorSystem.create(guardian(s, memory, ring, subs, chips, kernelNames, progress, started),
                    "strata", actorConfig);
            // A guardian that fails in setup stops the system: report that at once, not after START_TIMEOUT.
            system.getWhenTerminated().thenRun(() -> started.completeExceptionally(new IllegalStateException(
                    "the engine's actor system stopped while starting; see the log for the cause")));
            ActorRef<SchedulerActor.Command> scheduler =
                    started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<String> workerNames = new ArrayList<>();
            for (int i = 0; i < s.chipWorkers(); i++) {
                workerNames.add("chip " + i);
            }
            for (int i = 0; i < s.subWorkers(); i++) {
                workerNames.add("sub worker " + i);
            }
            List<ChipProcess> chipProcesses = List.copyOf(processes);
            EngineMetrics metrics = new EngineMetrics(s.level(), progress, ring::bytesInUse, memory.heapSize(),
                    () -> chipProcesses.stream().mapToLong(ChipProcess::restarts).sum());
            metrics.register();
            return new Engine(memory, ring, system, scheduler, processes, progress, metrics,
                    List.copyOf(workerNames));
        } catch (Exception e) {
            if (system != null) {
                system.terminate();
            }
            processes.forEach(ChipProcess::close);
            memory.close();
            throw new IllegalStateException("engine did not start within " + START_TIMEOUT + ": " + e, e);
        }
    }

    private static Behavior<Void> guardian(WorkerSettings s, SharedTensorMemory memory, HeapRing ring,
                                           List<SubCallable> subs, List<GroupTaskWorker> chipWorkers,
                                           List<String> kernelNames, ProgressCounters progress,
                                           CompletableFuture<ActorRef<SchedulerActor.Command>> started) {
        return Behaviors.<Void>setup(ctx -> {
            DispatcherSelector userCode = DispatcherSelector.fromConfig(s.dispatcher());
            Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers = new EnumMap<>(WorkerKind.class);
            List<ActorRef<WorkerActor.Command>> chips = new ArrayList<>();
            for (int i = 0; i < chipWorkers.size(); i++) {
                chips.add(ctx.spawn(WorkerActor.create(WorkerKind.CHIP, i, chipWorkers.get(i)), "chip-" + i,
                        userCode));
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
            // The engine's own actors get a small dispatcher of their own with a high throughput: every
            // reschedule of the scheduler's mailbox is a thread hand-off, and it sees a message per task.
            DispatcherSelector engine = DispatcherSelector.fromConfig(ENGINE_DISPATCHER);
            ActorRef<SchedulerActor.Command> scheduler = ctx.spawn(
                    SchedulerActor.create(workers, s.queueDepth(), names, ring, progress, s.trace().enabled()),
                    "scheduler", engine);
            // If the scheduler ever dies, wake the run that waits for a drain instead of letting it hang.
            ctx.watch(scheduler);
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
        close(true);
    }

    /**
     * Stops every actor and child process; unmaps the memory only if {@code userCodeDone} (no orchestration
     * function may still hold a view of it) and the actors stopped in time.
     */
    void close(boolean userCodeDone) {
        metrics.unregister();
        ring.shutdown();
        // Chip children first: a proxy blocked on a kernel that never returns only lets its actor stop once
        // its child is gone (close() kills a child whose task still runs; it is idempotent for PostStop).
        chipProcesses.forEach(ChipProcess::close);
        system.terminate();
        boolean stopped = false;
        try {
            system.getWhenTerminated().toCompletableFuture().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            stopped = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            system.log().warn("actor system did not stop within {}: {}", STOP_TIMEOUT, e.toString());
        }
        if (stopped && userCodeDone) {
            memory.close();
        }
        // Else a worker or an orch fn may still use the memory: unmapping now could crash the JVM, so the
        // mapping is left to the GC and the file to the memory's shutdown hook.
    }
}
