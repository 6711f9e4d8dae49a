package dev.strata.scheduler;

import dev.strata.dispatch.SchedulerActor;
import dev.strata.graph.IntList;
import dev.strata.graph.ScopeStack;
import dev.strata.graph.SlotSet;
import dev.strata.graph.TensorMap;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsBlob;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TensorArgType;
import dev.strata.ring.HeapRing;
import dev.strata.ring.RingExhaustedException;
import dev.strata.worker.WorkerKind;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The orchestrator of one run, on the user's thread: validates each submit, walks the tensor tags against
 * the {@link TensorMap}, takes a slot and heap room from the {@link HeapRing} (waiting only on
 * back-pressure), and tells the scheduler with one message per task — no round trip.
 */
final class DagOrchestrator implements Orchestrator {
    private final Catalog catalog;
    private final HeapRing ring;
    private final Duration allocTimeout;
    private final Consumer<SchedulerActor.Command> scheduler;
    private final TensorMap tensors = new TensorMap(1024);
    private final ScopeStack scopes = new ScopeStack();
    private final Thread owner = Thread.currentThread();
    private final IntList producers = new IntList(8);
    // Producers already in this submit's list: O(1) per tensor, emptied in O(1) per submit (a wide join
    // would otherwise scan the list once per tensor).
    private final SlotSet listed = new SlotSet();
    private int sweepAt = 4096;
    private boolean open = true;
    private final boolean stampSubmits;

    /**
     * The orchestrator of a run that starts now, on this thread; opens the run's outermost scope.
     *
     * @param scheduler where submits go (the scheduler actor's tell, or a test's graph)
     */
    DagOrchestrator(Catalog catalog, HeapRing ring, Duration allocTimeout,
                           Consumer<SchedulerActor.Command> scheduler) {
        this(catalog, ring, allocTimeout, scheduler, false);
    }

    /** As above; {@code stampSubmits} (tracing on) puts the submit time into every {@code Submit}. */
    DagOrchestrator(Catalog catalog, HeapRing ring, Duration allocTimeout,
                           Consumer<SchedulerActor.Command> scheduler, boolean stampSubmits) {
        this.stampSubmits = stampSubmits;
        this.catalog = catalog;
        this.ring = ring;
        this.allocTimeout = allocTimeout;
        this.scheduler = scheduler;
        scopes.begin();
    }

    @Override
    public SubmitResult submitNextLevel(long callable, TaskArgs args, CallConfig config) {
        return submit(WorkerKind.CHIP, callable, List.of(nonNullArgs(args, 0)), config);
    }

    @Override
    public SubmitResult submitNextLevelGroup(long callable, List<TaskArgs> argsList, CallConfig config) {
        return submit(WorkerKind.CHIP, callable, groupArgs(argsList), config);
    }

    @Override
    public SubmitResult submitSub(int callableId) {
        return submit(WorkerKind.SUB, callableId, List.of(new TaskArgs()), CallConfig.DEFAULT);
    }

    @Override
    public SubmitResult submitSub(int callableId, TaskArgs args) {
        return submit(WorkerKind.SUB, callableId, List.of(nonNullArgs(args, 0)), CallConfig.DEFAULT);
    }

    @Override
    public SubmitResult submitSubGroup(int callableId, List<TaskArgs> argsList) {
        return submit(WorkerKind.SUB, callableId, groupArgs(argsList), CallConfig.DEFAULT);
    }

    @Override
    public ContinuousTensor alloc(DataType dtype, int... shape) {
        checkOpen("alloc");
        ContinuousTensor shapeOnly = ContinuousTensor.of(0, dtype, shape); // validates dtype and shape
        HeapRing.Allocation a = allocate(Math.max(1, shapeOnly.nbytes()));
        ContinuousTensor t = shapeOnly.withData(a.address());
        tensors.insert(t.data(), a.slot()); // its first INOUT writer holds it alive
        scopes.register(a.slot());
        scheduler.accept(new SchedulerActor.AllocSlot(a.slot()));
        return t;
    }

    @Override
    public void scopeBegin() {
        checkOpen("scopeBegin");
        scopes.begin();
    }

    @Override
    public void scopeEnd() {
        checkOpen("scopeEnd");
        if (scopes.depth() <= 1) {
            throw new IllegalStateException("scopeEnd without scopeBegin");
        }
        scheduler.accept(new SchedulerActor.ScopeEnd(scopes.end()));
    }

    /**
     * Ends every scope still open (the run's own and any the orch fn left open) and invalidates this
     * orchestrator; called by {@code Worker.run} after the orch fn returned or threw.
     */
    public void finish() {
        if (!open) {
            return;
        }
        open = false;
        while (scopes.depth() > 0) {
            scheduler.accept(new SchedulerActor.ScopeEnd(scopes.end()));
        }
    }

    /** Entries in the tensor map: a hook for tests. */
    int trackedTensors() {
        return tensors.size();
    }

    /**
     * Drops tensor-map entries whose producer slot has been consumed; returns how many. Entries of failed
     * slots stay for the run (the ring remembers which released slots failed), so a later reader of their
     * output is skipped rather than run.
     */
    int sweepConsumed() {
        return tensors.sweep(ring::isLiveOrFailed);
    }

    private SubmitResult submit(WorkerKind kind, long callable, List<TaskArgs> members, CallConfig config) {
        checkOpen("submit");
        long submitNanos = stampSubmits ? System.nanoTime() : 0L; // before any back-pressure wait
        validate(kind, callable, members.size());
        Objects.requireNonNull(config, "config must not be null");
        if (kind == WorkerKind.CHIP && catalog.chipArgsLimit() != Catalog.NO_LIMIT) {
            checkArgsFit(callable, members);
        }
        long heapBytes = 0;
        for (int m = 0; m < members.size(); m++) {
            heapBytes += autoAllocBytes(members.get(m));
        }
        HeapRing.Allocation a = allocate(heapBytes);
        int slot = a.slot();
        long nextAddress = a.address();
        producers.clear();
        listed.clear();
        // The seed's tag walk: tensor by tensor, look up then insert. A task that writes a buffer and later
        // reads it (or a group member reading what an earlier member writes) finds itself and skips it.
        TaskArgsSnapshot[] snapshots = new TaskArgsSnapshot[members.size()];
        for (int m = 0; m < members.size(); m++) {
            TaskArgs args = members.get(m);
            for (int i = 0; i < args.tensorCount(); i++) {
                TensorArgType tag = args.tag(i);
                ContinuousTensor t = args.tensor(i);
                if (tag == TensorArgType.OUTPUT && t.data() == 0) {
                    t = t.withData(nextAddress);
                    nextAddress += alignUp(Math.max(1, t.nbytes()));
                    args.setTensor(i, t); // the orch fn reads the address back to pass it to consumers
                }
                if (tag.looksUpProducer()) {
                    int p = tensors.lookup(t.data());
                    if (p >= 0 && p != slot && listed.add(p)) {
                        producers.add(p);
                    }
                }
                if (tag.becomesProducer() && t.data() != 0) {
                    tensors.insert(t.data(), slot); // data 0 is "no tensor": never tracked, as in the seed
                }
            }
            snapshots[m] = (TaskArgsSnapshot) args.view();
        }
        scopes.register(slot);
        scheduler.accept(new SchedulerActor.Submit(slot, kind, callable, List.of(snapshots), config,
                producers.toArray(), submitNanos));
        if (tensors.size() > sweepAt) {
            sweepConsumed();
            sweepAt = Math.max(4096, tensors.size() * 2);
        }
        return new SubmitResult(slot);
    }

    /**
     * A slot and heap room from the ring, waiting up to the alloc timeout; the ring's exhaustion becomes the
     * API's {@link HeapExhaustedException} here, at the edge, with the ring's message.
     */
    private HeapRing.Allocation allocate(long bytes) {
        try {
            return ring.allocate(bytes, allocTimeout);
        } catch (RingExhaustedException e) {
            throw new HeapExhaustedException(e.getMessage(), e);
        }
    }

    private void validate(WorkerKind kind, long callable, int width) {
        if (kind == WorkerKind.SUB) {
            if (callable < 0 || callable >= catalog.subCallables()) {
                throw new IllegalArgumentException("unknown sub callable id " + callable + " ("
                        + describeRange(catalog.subCallables()) + ")");
            }
        } else if (callable < 0 || callable >= catalog.chipKernels().size()) {
            throw new IllegalArgumentException("unknown chip callable id " + callable + " ("
                    + describeRange(catalog.chipKernels().size()) + ")");
        }
        int workers = kind == WorkerKind.SUB ? catalog.subWorkers() : catalog.chipWorkers();
        if (workers == 0) {
            throw new IllegalStateException("no " + (kind == WorkerKind.SUB ? "sub" : "chip")
                    + " workers to run callable " + callable + ": set strata.worker."
                    + (kind == WorkerKind.SUB ? "sub-workers" : "chip-workers") + " > 0");
        }
        if (width > workers) {
            throw new IllegalArgumentException("group of " + width + " needs " + width + " "
                    + (kind == WorkerKind.SUB ? "sub" : "chip") + " workers, the engine has " + workers);
        }
    }

    /** PROCESS mode: each member's args blob must fit a chip process's mailbox; checked before any state. */
    private void checkArgsFit(long callable, List<TaskArgs> members) {
        for (int m = 0; m < members.size(); m++) {
            TaskArgs args = members.get(m);
            long bytes = TaskArgsBlob.HEADER_BYTES + (long) args.tensorCount() * TaskArgsBlob.TENSOR_RECORD_BYTES
                    + (long) args.scalarCount() * TaskArgsBlob.SCALAR_BYTES;
            if (bytes > catalog.chipArgsLimit()) {
                String who = "'" + catalog.chipKernels().get((int) callable) + "'"
                        + (members.size() > 1 ? " (group member " + m + ")" : "");
                throw new IllegalArgumentException("args of chip callable " + who + " need " + bytes + " bytes"
                        + " as a task-args blob (" + args.tensorCount() + " tensors, " + args.scalarCount()
                        + " scalars) but a chip process's mailbox holds at most " + catalog.chipArgsLimit()
                        + "; raise strata.worker.process.mailbox-size");
            }
        }
    }

    /** Each auto-allocated tensor starts on the ring's alignment, like the slab that holds it. */
    private static long alignUp(long bytes) {
        return (bytes + HeapRing.ALIGNMENT - 1) & -(long) HeapRing.ALIGNMENT;
    }

    private static String describeRange(int n) {
        return n == 0 ? "none registered" : "registered ids are 0.." + (n - 1);
    }

    /** Heap bytes the auto-allocated OUTPUTs ({@code data == 0}) of {@code args} need. */
    private static long autoAllocBytes(TaskArgs args) {
        long bytes = 0;
        for (int i = 0; i < args.tensorCount(); i++) {
            if (args.tag(i) == TensorArgType.OUTPUT && args.tensor(i).data() == 0) {
                bytes += alignUp(Math.max(1, args.tensor(i).nbytes()));
            }
        }
        return bytes;
    }

    private static TaskArgs nonNullArgs(TaskArgs args, int m) {
        if (args == null) {
            throw new IllegalArgumentException("args of member " + m + " must not be null");
        }
        return args;
    }

    private static List<TaskArgs> groupArgs(List<TaskArgs> argsList) {
        if (argsList == null || argsList.isEmpty()) {
            throw new IllegalArgumentException("a group needs at least one args entry, got "
                    + (argsList == null ? "null" : "an empty list"));
        }
        for (int m = 0; m < argsList.size(); m++) {
            nonNullArgs(argsList.get(m), m);
        }
        return argsList;
    }

    private void checkOpen(String what) {
        if (!open) {
            throw new IllegalStateException(what + " outside Worker.run: this orchestrator's run has ended");
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(what + " from thread " + Thread.currentThread().getName()
                    + ": an orchestrator is single-threaded and belongs to " + owner.getName());
        }
    }
}
