package dev.strata.scheduler;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.chip.ChipWorker;
import dev.strata.cluster.ChipEntities;
import dev.strata.cluster.ChipEntity;
import dev.strata.cluster.DispatchDelivery;
import dev.strata.cluster.EngineEntities;
import dev.strata.cluster.EngineSetup;
import dev.strata.cluster.HeadJoin;
import dev.strata.cluster.MemberConfig;
import dev.strata.cluster.NodeTaskCounts;
import dev.strata.cluster.PendingDispatches;
import dev.strata.cluster.RemoteChip;
import dev.strata.cluster.TensorTransfer;
import dev.strata.config.ChipMode;
import dev.strata.config.ClusterSettings;
import dev.strata.config.WorkerSettings;
import dev.strata.dispatch.FaultPlan;
import dev.strata.dispatch.SchedulerActor;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.metrics.EngineMetrics;
import dev.strata.metrics.ProgressCounters;
import dev.strata.metrics.TaskLatencies;
import dev.strata.process.ChipProcess;
import dev.strata.process.RoundTripStats;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The running parts of one initialised {@link Worker}: the node's tensor memory, the heap ring, and an
 * actor system whose guardian spawns the worker actors and the scheduler (which releases to the ring).
 *
 * <p>The actor system is the engine's own, embedded in someone else's JVM, so it is configured never to end
 * or hold up that JVM: its threads are daemons, and a fatal error on one of them (an
 * {@code OutOfMemoryError}, another {@code VirtualMachineError}) stops the system instead of the JVM. The
 * engine then counts as {@link #failure() failed}: the run waiting for its drain wakes, user code still
 * running is interrupted, and no run starts again.
 */
final class Engine implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long close() waits for the actors to stop once user code has been interrupted. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final String ENGINE_DISPATCHER = "strata.worker.engine-dispatcher";
    /** Pekko settings an engine's actor system always gets, whatever the user's configuration says. */
    private static final String EMBEDDED = "pekko.daemonic = on\npekko.jvm-exit-on-fatal-error = off\n";
    static final String FATAL_STOP = "the engine's actor system stopped after a fatal error on one of its threads"
            + " (such as an OutOfMemoryError; the log names it)";

    /**
     * Why a cluster head stops when the split-brain resolver downs it: under keep-majority a head that lost every
     * worker node at once is the minority (docs/cluster.md, failure model).
     */
    static final String DOWNED = "this head was downed by the cluster's split-brain resolver: it could not reach a"
            + " majority of the members (for instance every worker node was lost at once); this Worker cannot run"
            + " any more, close it and build a new one";

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
    /** Chip tasks per worker node in the current run; stays empty without cluster mode. */
    final NodeTaskCounts nodeTasks;
    /** Whether the next-level workers are engines on the worker nodes (level 4 in cluster mode), not chips. */
    final boolean enginesBelow;
    private final List<ChipProcess> chipProcesses;
    /** The THREAD-mode workers, whose running user code close() interrupts. */
    private final List<InterruptibleWorker> userCode;
    private volatile boolean closing;
    private volatile String failure; // why the engine stopped by itself; null while it works

    private Engine(SharedTensorMemory memory, HeapRing ring, ActorSystem<Void> system,
                   ActorRef<SchedulerActor.Command> scheduler, List<ChipProcess> chipProcesses,
                   List<InterruptibleWorker> userCode, ProgressCounters progress, EngineMetrics metrics,
                   List<String> workerNames, NodeTaskCounts nodeTasks, boolean enginesBelow) {
        this.memory = memory;
        this.ring = ring;
        this.system = system;
        this.scheduler = scheduler;
        this.chipProcesses = chipProcesses;
        this.userCode = userCode;
        this.progress = progress;
        this.metrics = metrics;
        this.workerNames = workerNames;
        this.node = system.address().toString();
        this.nodeTasks = nodeTasks;
        this.enginesBelow = enginesBelow;
    }

    /** {@link #start(WorkerSettings, ClusterSettings, Config, Callables, FaultPlan)} with {@code strata.cluster} of
     * {@code config} and no faults. */
    static Engine start(WorkerSettings s, Config config, Callables callables) {
        return start(s, ClusterSettings.fromConfig(config), config, callables, null);
    }

    /**
     * Maps the memory and starts the actors; fails (cleaning up) if they do not come up in time. With cluster mode
     * on, the actor system is a cluster member with role {@code head} and this returns once enough worker nodes
     * are up ({@link HeadJoin}); chip tasks then run on chip entities of the worker nodes ({@link RemoteChip}), sub
     * tasks on this engine's own sub workers. The scheduler asks {@code faults} (null: none) about every dispatch.
     */
    static Engine start(WorkerSettings s, ClusterSettings cluster, Config config, Callables callables,
                        FaultPlan faults) {
        boolean engines = cluster.enginesBelow(s.level()); // the next-level workers are engines on the nodes
        List<SubCallable> subs = callables.subs();
        List<ChipKernel> kernels = callables.kernels();
        List<String> kernelNames = callables.chipNames();
        Path dir = s.memoryDir().isEmpty() ? null : Path.of(s.memoryDir());
        SharedTensorMemory memory = SharedTensorMemory.create(dir, s.arenaSize(), s.heapRingSize());
        HeapRing ring = new HeapRing(memory.heapBase(), memory.heapSize(), s.taskWindow());
        List<ChipProcess> processes = new ArrayList<>();
        RoundTripStats chipRoundTrips = new RoundTripStats(); // this engine's, read by its metrics
        List<InterruptibleWorker> userCode = new ArrayList<>();
        List<GroupTaskWorker> chips = new ArrayList<>();
        List<GroupTaskWorker> subWorkers = new ArrayList<>();
        try {
            // In cluster mode the chips are entities on the worker nodes (docs/cluster.md): none starts here.
            boolean remoteChips = cluster.enabled();
            boolean childrenAttach = s.mode() == ChipMode.PROCESS && s.chipWorkers() > 0 && !remoteChips;
            if (!childrenAttach) {
                // Nobody else ever maps it: the name can go now, so even a SIGKILL of this JVM leaves nothing.
                memory.unlink();
            }
            for (int i = 0; i < (remoteChips ? 0 : s.chipWorkers()); i++) {
                if (s.mode() == ChipMode.PROCESS) {
                    ChipProcess p = new ChipProcess(i, kernelNames, kernels, memory, s.chipThreads(), s.process(),
                            chipRoundTrips);
                    processes.add(p);
                    chips.add(p);
                } else {
                    chips.add(interruptible(new ChipWorker(i, kernels, memory, s.chipThreads()), userCode));
                }
            }
            for (int i = 0; i < s.subWorkers(); i++) {
                subWorkers.add(interruptible(new SubWorker(subs, memory), userCode));
            }
            // Every child starts (and is ready) before the first task can be dispatched.
            ChipProcess.startAll(processes);
        } catch (RuntimeException e) {
            memory.close();
            throw e;
        }
        CompletableFuture<ActorRef<SchedulerActor.Command>> started = new CompletableFuture<>();
        ProgressCounters progress = new ProgressCounters();
        TaskLatencies latencies = new TaskLatencies(); // the scheduler records, the metrics read after each run
        NodeTaskCounts nodeTasks = new NodeTaskCounts(); // the remote chips count, each run reads
        ActorSystem<Void> system = null;
        try {
            // One thread per worker actor on the user-code dispatcher, so a slow task blocks only its worker.
            Config actorConfig = ConfigFactory.parseString(EMBEDDED
                            + "strata.worker.blocking-dispatcher.thread-pool-executor.fixed-pool-size = "
                                    + Math.max(1, s.chipWorkers() + s.subWorkers()))
                    .withFallback(config);
            if (cluster.enabled()) {
                actorConfig = MemberConfig.of(MemberConfig.HEAD_ROLE, actorConfig);
            }
            Function<ActorSystem<?>, List<GroupTaskWorker>> chipWorkers = cluster.enabled()
                    ? sys -> remoteChips(sys, s, cluster, callables, memory, userCode, nodeTasks)
                    : sys -> chips;
            system = ActorSystem.create(guardian(s, ring, chipWorkers, subWorkers, callables.nextLevelNames(engines), engines, progress,
                    latencies, faults, started), MemberConfig.SYSTEM_NAME, actorConfig);
            // A guardian that fails in setup stops the system: report that at once, not after START_TIMEOUT.
            system.getWhenTerminated().thenRun(() -> started.completeExceptionally(new IllegalStateException(
                    "the engine's actor system stopped while starting; see the log for the cause")));
            ActorRef<SchedulerActor.Command> scheduler =
                    started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<ChipProcess> chipProcesses = List.copyOf(processes);
            EngineMetrics metrics = new EngineMetrics(s.level(), progress, ring::bytesInUse, memory.heapSize(),
                    () -> chipProcesses.stream().mapToLong(ChipProcess::restarts).sum(), chipRoundTrips, latencies);
            metrics.register();
            Engine engine = new Engine(memory, ring, system, scheduler, chipProcesses, List.copyOf(userCode),
                    progress, metrics, workerNames(engines, s.chipWorkers(), s.subWorkers()), nodeTasks, engines);
            // Runs first when the system stops for any reason: close() (ignored then), a fatal error, JVM exit.
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
                    "strata-engine-stopping", () -> {
                        engine.onSystemStopping();
                        return CompletableFuture.completedFuture(Done.getInstance());
                    });
            if (cluster.enabled()) {
                joinCluster(engine, cluster, s.chipWorkers(), engines ? EngineEntities.KEY : ChipEntities.KEY);
            }
            return engine;
        } catch (ClusterJoinFailed e) {
            throw e.failure;
        } catch (Exception e) {
            if (system != null) {
                system.terminate();
            }
            processes.forEach(ChipProcess::close);
            memory.close();
            throw new IllegalStateException("engine did not start within " + START_TIMEOUT + ": " + e, e);
        }
    }

    /** Waits for the worker nodes (and their chip regions); on failure closes the engine and throws the error as is. */
    private static void joinCluster(Engine engine, ClusterSettings cluster, int chipWorkers,
                                    EntityTypeKey<ChipEntity.Command> nextLevel) throws ClusterJoinFailed {
        try {
            HeadJoin.await(engine.system, cluster);
            if (chipWorkers > 0) {
                // Chips are placed on the nodes whose regions are known at the first message: wait for all of them.
                ChipEntities.awaitHosts(engine.system, nextLevel, cluster.minWorkerNodes(), cluster.joinTimeout());
            }
        } catch (RuntimeException e) {
            engine.close();
            throw new ClusterJoinFailed(e);
        }
    }

    /** Carries a join failure past start()'s generic "did not start" wrapping (the engine is closed already). */
    private static final class ClusterJoinFailed extends Exception {
        final RuntimeException failure;

        ClusterJoinFailed(RuntimeException failure) {
            super(failure);
            this.failure = failure;
        }
    }

    /**
     * The head's next-level workers in cluster mode: proxies of the chip entities on the worker nodes — or, at level
     * 4 and above, of the engine entities, each a level-3 engine of its node running this head's orch fns with its
     * chip kernels —, reached through this member's sharding proxy (started here; the head lacks the role
     * {@code worker}), with one delivery actor for all their answers, which also fails the dispatches of a lost worker
     * node (docs/cluster.md, failure model). They keep several tasks in flight and wait for none on a thread
     * ({@link RemoteChip}); closing the engine gives their tasks in flight up.
     */
    private static List<GroupTaskWorker> remoteChips(ActorSystem<?> system, WorkerSettings s, ClusterSettings cluster,
                                                     Callables callables, SharedTensorMemory memory,
                                                     List<InterruptibleWorker> userCode,
                                                     NodeTaskCounts nodeTasks) {
        boolean engines = cluster.enginesBelow(s.level());
        if (engines) {
            EngineEntities.proxy(system);
        } else {
            ChipEntities.proxy(system);
        }
        PendingDispatches pending = new PendingDispatches(cluster.noWorkerTimeout());
        TensorTransfer transfer = new TensorTransfer(system, cluster.taskTimeout());
        ActorRef<ChipEntity.RanBatch> delivery = system.systemActorOf(
                DispatchDelivery.create(pending, cluster.noWorkerTimeout(), transfer), "strata-dispatch-delivery",
                Props.empty()).narrow();
        RemoteChip.Attempts attempts = RemoteChip.Attempts.of(cluster);
        RemoteChip.Timers timers = (delay, action) -> system.scheduler().scheduleOnce(delay, action,
                system.executionContext())::cancel;
        List<String> kernelClasses = callables.kernels().stream().map(k -> k.getClass().getName()).toList();
        // At level 4 a task runs an orch fn on an engine that has this head's chip kernels under the same ids.
        EngineSetup below = engines ? new EngineSetup(s.level() - 1, callables.chipNames(), kernelClasses,
                s.trace().enabled(), cluster.taskTimeout().toMillis()) : null;
        List<String> classes = engines
                ? callables.orchFns().stream().map(f -> f.getClass().getName()).toList() : kernelClasses;
        List<GroupTaskWorker> chips = new ArrayList<>();
        for (int i = 0; i < s.chipWorkers(); i++) {
            EntityRef<ChipEntity.Command> entity = engines ? EngineEntities.engine(system, i)
                    : ChipEntities.chip(system, i);
            RemoteChip chip = new RemoteChip(i, callables.nextLevelNames(engines), classes, below, memory, attempts,
                    pending, delivery, entity::tell, nodeTasks, transfer, timers);
            interruptible(chip, userCode); // the engine's stop closes it; its actor runs it as a pipelined worker
            chips.add(chip);
        }
        return chips;
    }

    private static GroupTaskWorker interruptible(GroupTaskWorker worker, List<InterruptibleWorker> all) {
        InterruptibleWorker w = new InterruptibleWorker(worker);
        all.add(w);
        return w;
    }

    private static Behavior<Void> guardian(WorkerSettings s, HeapRing ring,
                                           Function<ActorSystem<?>, List<GroupTaskWorker>> chipWorkersOf,
                                           List<GroupTaskWorker> subs, List<String> chipNames,
                                           boolean enginesBelow, ProgressCounters progress, TaskLatencies latencies,
                                           FaultPlan faults, CompletableFuture<ActorRef<SchedulerActor.Command>> started) {
        return Behaviors.<Void>setup(ctx -> {
            DispatcherSelector userCode = DispatcherSelector.fromConfig(s.dispatcher());
            Map<WorkerKind, List<ActorRef<WorkerActor.Command>>> workers = new EnumMap<>(WorkerKind.class);
            List<ActorRef<WorkerActor.Command>> chips = new ArrayList<>();
            List<GroupTaskWorker> chipWorkers = chipWorkersOf.apply(ctx.getSystem());
            for (int i = 0; i < chipWorkers.size(); i++) {
                chips.add(ctx.spawn(WorkerActor.create(WorkerKind.CHIP, i, chipWorkers.get(i)), "chip-" + i,
                        userCode));
            }
            List<ActorRef<WorkerActor.Command>> subWorkers = new ArrayList<>();
            for (int i = 0; i < subs.size(); i++) {
                subWorkers.add(ctx.spawn(WorkerActor.create(WorkerKind.SUB, i, subs.get(i)), "sub-" + i, userCode));
            }
            workers.put(WorkerKind.CHIP, chips);
            workers.put(WorkerKind.SUB, subWorkers);
            // The engine's own actors get a small dispatcher of their own with a high throughput: every
            // reschedule of the scheduler's mailbox is a thread hand-off, and it sees a message per task.
            DispatcherSelector engine = DispatcherSelector.fromConfig(ENGINE_DISPATCHER);
            ActorRef<SchedulerActor.Command> scheduler = ctx.spawn(
                    SchedulerActor.create(workers, s.queueDepth(), chipNames, ring, progress, latencies,
                            s.trace().enabled(), enginesBelow, faults),
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

    /**
     * The workers' names in trace-lane order, next-level workers then sub workers: {@code chip 0} (with engines
     * below: {@code engine 0}), {@code sub worker 0}, as the scheduler names them in traces and failure reports.
     */
    static List<String> workerNames(boolean enginesBelow, int chipWorkers, int subWorkers) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < chipWorkers; i++) {
            names.add(WorkerKind.CHIP.workerName(i, enginesBelow));
        }
        for (int i = 0; i < subWorkers; i++) {
            names.add(WorkerKind.SUB.workerName(i));
        }
        return List.copyOf(names);
    }

    /**
     * Why the engine stopped by itself (its actor system ended after a fatal error), or null while it works.
     * Any thread.
     */
    String failure() {
        return failure;
    }

    /** The actor system began to stop: unless close() stopped it, the engine has failed and says so. */
    private void onSystemStopping() {
        if (closing) {
            return;
        }
        Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(system).getShutdownReason();
        if (reason.filter(CoordinatedShutdown.jvmExitReason()::equals).isPresent()) {
            failure = "the JVM is exiting";
        } else if (reason.filter(CoordinatedShutdown.clusterDowningReason()::equals).isPresent()) {
            failure = DOWNED;
        } else {
            failure = FATAL_STOP;
        }
        system.log().error("{}; failing the current run and interrupting user code still running", failure);
        ring.shutdown(); // wakes the run waiting for its drain or for heap room
        // Workers blocked in user code would hold up the system's stop, and their results are lost anyway.
        userCode.forEach(InterruptibleWorker::stop);
    }

    /** Stops user code and every actor (and with them the workers' threads), then unmaps and deletes the memory. */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Interrupts user code still running, stops every actor and child process and deletes the memory file;
     * unmaps the memory only if {@code userCodeDone} (no orchestration function may still hold a view of it) and
     * the actors stopped within {@link #STOP_TIMEOUT}. Returns within about that time plus the children's stop.
     */
    void close(boolean userCodeDone) {
        closing = true;
        metrics.unregister();
        ring.shutdown();
        // As ExecutorService.shutdownNow: interrupt what runs, start nothing new; a worker actor stops only once
        // its task has returned.
        userCode.forEach(InterruptibleWorker::stop);
        // Chip children too: a proxy blocked on a kernel that never returns only lets its actor stop once
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
            system.log().warn("actor system did not stop within {} (user code that ignores interrupts?): {}",
                    STOP_TIMEOUT, e.toString());
        }
        if (stopped && userCodeDone) {
            memory.close();
        } else {
            // A worker or an orch fn may still use the memory: unmapping now could crash the JVM, so the mapping
            // is left to the GC. The file goes now all the same (its pages stay while mapped).
            memory.unlink();
        }
    }
}
