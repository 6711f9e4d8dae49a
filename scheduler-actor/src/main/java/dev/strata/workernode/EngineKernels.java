package dev.strata.workernode;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.cluster.ChipEntity;
import dev.strata.cluster.CommonClock;
import dev.strata.cluster.EngineSetup;
import dev.strata.cluster.NodeKernels;
import dev.strata.process.ClassByName;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorArgType;
import dev.strata.protocol.TensorMemory;
import dev.strata.scheduler.OrchFn;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import dev.strata.trace.RunTrace;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an engine entity runs its tasks on (level 4): a complete level-3 engine of its worker node — the same
 * {@link Worker} a single-node user builds, with its own tensor memory, ring, scheduler and chips, configured by the
 * node's own {@code strata.worker} section (THREAD or PROCESS chips, {@code chip-workers}, sizes) — and the head's
 * orch fns, made by class name. The engine starts at the entity's first task, because the head's chip kernels come
 * with it ({@link EngineSetup}: registered in the head's order, so they keep the head's ids), and serves every later
 * task and run; a head with other kernels gets a fresh engine. One level-3 run at a time: a second task waits.
 *
 * <p>Each task is one {@link Worker#run}: the orch fn gets the task's node-local tensors (already copied into the
 * engine's memory by {@code NodeChip}) and scalars and its config, and the run drains before the answer goes back
 * with its trace (the engine always records one in memory) on the common clock. A level-3 failure fails the run
 * with its {@code TaskFailedException}, which the head receives as this task's error; the engine stays usable.
 */
public final class EngineKernels implements NodeKernels {
    private static final Logger LOG = LoggerFactory.getLogger(EngineKernels.class);

    private final int index;
    private final String node;
    private final Config nodeConfig;
    private final Map<String, OrchFn> orchFns = new HashMap<>();
    // One level-3 run at a time on this entity's engine: a Worker refuses a run while another is in progress.
    private final Object runs = new Object();
    private Worker engine; // guarded by this; null before the first task
    private EngineSetup setup;
    private boolean closed;

    /** Engine {@code index} of the worker node at {@code node}, whose settings are {@code nodeConfig} (resolved). */
    public EngineKernels(int index, String node, Config nodeConfig) {
        this.index = index;
        this.node = node;
        this.nodeConfig = nodeConfig;
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
        if (engine == null || !wanted.equals(setup)) {
            closeEngine();
            engine = start(wanted);
            setup = wanted;
        }
        OrchFn fn = orchFns.get(run.kernelClass());
        if (fn == null) {
            fn = make(run.callableName(), run.kernelClass());
            orchFns.put(run.kernelClass(), fn);
        }
        Worker w = engine;
        OrchFn orch = fn;
        return (args, config, groupIndex) -> {
            synchronized (runs) {
                w.run(new Task(orch, taskArgs(args), config));
                RunTrace trace = w.lastRunTrace();
                return trace == null ? null : CommonClock.toCommon(trace);
            }
        };
    }

    @Override
    public synchronized TensorMemory memory() {
        if (engine == null) {
            throw new IllegalStateException("engine " + index + " on worker node " + node + " has not started");
        }
        return engine.memory();
    }

    @Override
    public String what() {
        return "engine";
    }

    /**
     * The level-3 engine for {@code s}: the node's {@code strata.worker} settings at level {@code s.level()}, out of
     * the cluster, tracing in memory, with the head's chip kernels in the head's order.
     */
    private Worker start(EngineSetup s) {
        if (s.level() > 3) {
            throw new IllegalArgumentException("engine " + index + " on worker node " + node + " would be a level-"
                    + s.level() + " engine, which drives engines on other nodes itself; worker nodes host level-3"
                    + " engines only (docs/cluster.md, \"Level 5 and above\")");
        }
        Config c = ConfigFactory.parseString("strata.cluster.enabled = false\nstrata.worker.level = " + s.level()
                + "\nstrata.trace { enabled = true, file = \"\" }").withFallback(nodeConfig);
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

    private void closeEngine() {
        Worker old = engine;
        engine = null;
        setup = null;
        if (old != null) {
            old.close(); // waits (bounded) for a run still going on it
        }
    }

    /** Closes the engine (its chips, child JVMs and memory); any thread, idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        closeEngine();
    }
}
