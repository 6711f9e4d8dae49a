package dev.strata.workernode;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.cluster.ChipEntity;
import dev.strata.cluster.CommonClock;
import dev.strata.cluster.EngineSetup;
import dev.strata.cluster.NodeKernels;
import dev.strata.process.ClassByName;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorArgType;
import dev.strata.protocol.TensorMemory;
import dev.strata.scheduler.OrchFn;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.TaskFailedException;
import dev.strata.scheduler.Worker;
import dev.strata.trace.RunTrace;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an engine entity runs its tasks on (level 4): a complete level-3 engine of its worker node — the same
 * {@link Worker} a single-node user builds, with its own tensor memory, ring, scheduler and chips, configured by the
 * node's own {@code strata.worker} section (THREAD or PROCESS chips, {@code chip-workers}, sizes) — and the head's
 * orch fns, made by class name. The engine starts at the entity's first task, because the head's chip kernels come
 * with it ({@link EngineSetup}: registered in the head's order, so they keep the head's ids), and serves every later
 * task and run; a head with another setup gets a fresh engine, and the one it replaces closes once no task's
 * copies are left in its memory (a streamed answer may still be read from it). One level-3 run at a time: a second
 * task waits.
 *
 * <p>Each task is one {@link Worker#run}: the orch fn gets the task's node-local tensors (already copied into the
 * engine's memory by {@code NodeChip}) and scalars and its config, and the run drains before the answer goes back
 * with its trace (the engine always records one in memory) on the common clock. A level-3 failure fails the run
 * with its {@code TaskFailedException}, which the head receives as this task's error; the engine stays usable.
 */
public final class EngineKernels implements NodeKernels {
    private static final Logger LOG = LoggerFactory.getLogger(EngineKernels.class);
    /** Keys of the node's settings an engine must not inherit: it is a local engine, not a member. */
    private static final List<String> MEMBER_KEYS = List.of("pekko.remote", "pekko.cluster", "pekko.actor.provider");
    /** {@link TaskFailedException#callableName()} of a run that failed as a whole (it did not drain). */
    private static final String RUN = "run";

    private final int index;
    private final String node;
    private final Config nodeConfig;
    private final Map<String, OrchFn> orchFns = new HashMap<>();
    private Running current; // guarded by this; null before the first task and after close()
    private boolean closed;

    /** Engine {@code index} of the worker node at {@code node}, whose settings are {@code nodeConfig} (resolved). */
    public EngineKernels(int index, String node, Config nodeConfig) {
        this.index = index;
        this.node = node;
        this.nodeConfig = nodeConfig;
    }

    /** A started level-3 engine, the tasks whose copies are in its memory, and whether it has been replaced. */
    private static final class Running {
        final Worker worker;
        final EngineSetup setup;
        int inUse; // guarded by the EngineKernels
        boolean retired;

        Running(Worker worker, EngineSetup setup) {
            this.worker = worker;
            this.setup = setup;
        }
    }

    @Override
    public synchronized Kernel kernel(ChipEntity.Run run) {
        if (closed) {
            throw new IllegalStateException("engine " + index + " on worker node " + node + " is stopping");
        }
        EngineSetup wanted = run.engine();
        if (wanted == null) {
            throw new IllegalArgumentException("engine " + index + " on worker node " + node + " got chip kernel '"
                    + run.callableName() + "' without an engine setup: only a level-4 head sends tasks here");
        }
        if (current == null || !wanted.equals(current.setup)) {
            retire();
            current = new Running(start(wanted), wanted);
        }
        OrchFn fn = orchFns.get(run.kernelClass());
        if (fn == null) {
            fn = make(run.callableName(), run.kernelClass());
            orchFns.put(run.kernelClass(), fn);
        }
        Running engine = current;
        engine.inUse++;
        OrchFn orch = fn;
        return new Kernel() {
            private String warningBelow; // this task's run's, set by run()

            @Override
            public RunTrace run(TaskArgsView args, CallConfig config, int groupIndex) {
                // One level-3 run at a time: a Worker refuses a run while another is in progress.
                synchronized (engine) {
                    try {
                        engine.worker.run(new Task(orch, taskArgs(args), config));
                    } catch (TaskFailedException e) {
                        if (RUN.equals(e.callableName())) {
                            broken(engine); // the run did not drain (its timeout): this engine runs no more
                        }
                        throw e;
                    }
                    List<String> warnings = engine.worker.lastRun().warnings();
                    warningBelow = warnings.isEmpty() ? null
                            : "level 3 on engine " + index + ": " + String.join("; ", warnings);
                    RunTrace trace = engine.setup.trace() ? engine.worker.lastRunTrace() : null;
                    return trace == null ? null : CommonClock.toCommon(trace);
                }
            }

            @Override
            public TensorMemory memory() {
                return engine.worker.memory();
            }

            @Override
            public String warningBelow() {
                return warningBelow;
            }

            @Override
            public void release() {
                released(engine);
            }
        };
    }

    @Override
    public String what() {
        return "engine";
    }

    /** A task's copies in {@code engine}'s memory are freed; a replaced engine closes with its last one. */
    private synchronized void released(Running engine) {
        engine.inUse--;
        if (engine.retired && engine.inUse == 0) {
            engine.worker.close();
        }
    }

    /** An engine whose run could not drain can run no more: the next task starts a fresh one. */
    private synchronized void broken(Running engine) {
        if (current == engine) {
            LOG.warn("engine {} on worker node {}: a level-3 run did not drain (strata.run.timeout = the head's"
                    + " task-timeout); the next task starts a fresh engine", index, node);
            retire();
        }
    }

    /** The current engine is replaced or the entity stops: it closes now, or with its last task's copies. */
    private void retire() {
        Running old = current;
        current = null;
        if (old != null) {
            old.retired = true;
            if (old.inUse == 0) {
                old.worker.close(); // waits (bounded) for a run still going on it
            }
        }
    }

    /**
     * The level-3 engine for {@code s}: the node's {@code strata.worker} settings at level {@code s.level()}, out of
     * the cluster, with the head's run timeout, tracing in memory when the head traces, the head's tag checker, and the
     * head's chip kernels in the head's order.
     */
    private Worker start(EngineSetup s) {
        if (s.level() > 3) {
            throw new IllegalArgumentException("engine " + index + " on worker node " + node + " would be a level-"
                    + s.level() + " engine, which drives engines on other nodes itself; worker nodes host level-3"
                    + " engines only (docs/cluster.md, \"Level 5 and above\")");
        }
        Config local = nodeConfig;
        for (String key : MEMBER_KEYS) {
            local = local.withoutPath(key);
        }
        Config c = ConfigFactory.parseString("strata.cluster.enabled = false\nstrata.worker.level = " + s.level()
                + "\nstrata.run.timeout = " + s.runTimeoutMillis() + " ms\nstrata.trace { enabled = " + s.trace()
                + ", file = \"\" }\nstrata.check.tags = " + s.checkTags()).withFallback(local)
                .withFallback(ConfigFactory.defaultReference());
        Worker w = Worker.fromConfig(c);
        try {
            for (int i = 0; i < s.kernelNames().size(); i++) {
                String name = s.kernelNames().get(i);
                w.registerChipCallable(name, NodeKernels.make(name, s.kernelClasses().get(i), node));
            }
            w.init();
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
        LOG.info("engine {} on worker node {} started: level {}, {} chip workers ({} mode), kernels {}", index, node,
                s.level(), w.settings().chipWorkers(), w.settings().mode(), s.kernelNames());
        return w;
    }

    /** Orch fn {@code className} (registered as {@code name} on the head), made here by class name. */
    private OrchFn make(String name, String className) {
        try {
            return ClassByName.construct(className, OrchFn.class);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("orch fn '" + name + "' (class " + className + ") cannot be made on"
                    + " worker node " + node + ": " + e.getMessage() + ". Put the orch fn's classes on the node's class"
                    + " path (java -cp strata-node.jar:<your classes> ...)", e);
        }
    }

    /** The task's node-local args as a level-3 run's args (the orch fn sees them as a view, without tags). */
    private static TaskArgs taskArgs(TaskArgsView view) {
        TaskArgs args = new TaskArgs();
        for (int i = 0; i < view.tensorCount(); i++) {
            args.addTensor(view.tensor(i), TensorArgType.INOUT);
        }
        for (int i = 0; i < view.scalarCount(); i++) {
            args.addScalar(view.scalar(i));
        }
        return args;
    }

    /**
     * Stops taking tasks and closes the engine (its chips, child JVMs and memory) — at once, or when the last task's
     * copies in its memory are freed; any thread, idempotent.
     */
    @Override
    public synchronized void close() {
        closed = true;
        retire();
    }
}
