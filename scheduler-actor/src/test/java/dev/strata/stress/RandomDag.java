package dev.strata.stress;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.OrchFn;
import dev.strata.scheduler.SubmitResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One random orchestration, fixed by its seed: a plan of submits (single tasks and groups, sub and chip,
 * random tags over a small pool of tensors), {@code orch.alloc}s and nested scopes, which {@link #orchFn}
 * replays on a real orchestrator while recording the operations for the {@link SequentialModel}.
 *
 * <p>Tensors are named by handles: {@code 0..arena-1} are user-arena tensors (fixed addresses shared by all
 * DAGs), higher handles are heap tensors made by {@code alloc} or by an OUTPUT with data 0. A heap handle is
 * used only while the scope that created it is open: after its scope ends its buffer may be reclaimed.
 */
final class RandomDag {
    /** A handle for a NO_DEP tensor with data 0 ("no tensor"). */
    static final int NO_TENSOR = -1;
    private static final int FIRST_HEAP_HANDLE = 1000;

    /** What shapes to draw from. */
    record Shape(int maxTasks, int arenaTensors, int subWorkers, int chipWorkers, int maxScopeDepth,
                 double throwProbability) {
    }

    /** One tensor argument of the plan; {@code fresh} = OUTPUT with data 0 that creates heap handle {@code handle}. */
    record PArg(int handle, TensorArgType tag, boolean fresh, int elems) {
    }

    sealed interface Step permits PSubmit, PAlloc, PBegin, PEnd {
    }

    /**
     * A submit. {@code group} = through the group API (also for width 1). {@code work[m]}: see {@link Probe}.
     * {@code throwingMember}: the member that throws, or -1.
     */
    record PSubmit(int node, boolean chip, boolean group, List<List<PArg>> members, long[] work,
                   int throwingMember) implements Step {
    }

    record PAlloc(int node, int handle, int elems) implements Step {
    }

    record PBegin() implements Step {
    }

    record PEnd() implements Step {
    }

    final long seed;
    final List<Step> steps;
    final int nodes;
    final int arenaUsed;

    private RandomDag(long seed, List<Step> steps, int nodes, int arenaUsed) {
        this.seed = seed;
        this.steps = steps;
        this.nodes = nodes;
        this.arenaUsed = arenaUsed;
    }

    /** The plan for {@code seed}. */
    static RandomDag generate(long seed, Shape shape) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int arenaUsed = 4 + rnd.nextInt(Math.max(1, shape.arenaTensors() - 3)); // 4..arenaTensors
        int tasks = 1 + rnd.nextInt(shape.maxTasks());
        List<Step> steps = new ArrayList<>();
        // Handles usable now, by the scope depth that created them (depth 0: the run's own scope).
        List<List<Integer>> heapByDepth = new ArrayList<>();
        heapByDepth.add(new ArrayList<>());
        int nextHandle = FIRST_HEAP_HANDLE;
        int node = 0;
        int submitted = 0;
        List<Integer> submitSteps = new ArrayList<>();
        while (submitted < tasks) {
            int depth = heapByDepth.size() - 1;
            int r = rnd.nextInt(100);
            if (r < 7 && depth < shape.maxScopeDepth()) {
                steps.add(new PBegin());
                heapByDepth.add(new ArrayList<>());
            } else if (r < 14 && depth > 0) {
                steps.add(new PEnd());
                heapByDepth.remove(depth);
            } else if (r < 22) {
                int h = nextHandle++;
                steps.add(new PAlloc(node++, h, 1 + rnd.nextInt(256)));
                heapByDepth.get(depth).add(h);
            } else {
                boolean chip = rnd.nextInt(100) < 30;
                int workers = chip ? shape.chipWorkers() : shape.subWorkers();
                boolean group = rnd.nextInt(100) < 25;
                int width = group ? 1 + rnd.nextInt(Math.min(workers, Probe.MAX_WIDTH)) : 1;
                List<Integer> live = new ArrayList<>();
                for (int i = 0; i < arenaUsed; i++) {
                    live.add(i);
                }
                heapByDepth.forEach(live::addAll);
                List<List<PArg>> members = new ArrayList<>();
                long[] work = new long[width];
                List<Integer> created = new ArrayList<>();
                for (int m = 0; m < width; m++) {
                    int nArgs = rnd.nextInt(4);
                    List<PArg> args = new ArrayList<>();
                    for (int a = 0; a < nArgs; a++) {
                        int k = rnd.nextInt(100);
                        if (k < 15) {
                            int h = nextHandle++;
                            args.add(new PArg(h, TensorArgType.OUTPUT, true, 1 + rnd.nextInt(256)));
                            created.add(h);
                        } else if (k < 18) {
                            args.add(new PArg(NO_TENSOR, TensorArgType.NO_DEP, false, 1));
                        } else {
                            int h = live.get(rnd.nextInt(live.size()));
                            args.add(new PArg(h, randomTag(rnd), false, 0));
                        }
                    }
                    members.add(args);
                    work[m] = randomWork(rnd);
                }
                heapByDepth.get(depth).addAll(created);
                submitSteps.add(steps.size());
                steps.add(new PSubmit(node++, chip, group, members, work,
                        rnd.nextDouble() < shape.throwProbability() ? rnd.nextInt(width) : -1));
                submitted++;
            }
        }
        if (rnd.nextBoolean()) { // else Worker.run's finish closes the scopes left open
            for (int d = heapByDepth.size() - 1; d > 0; d--) {
                steps.add(new PEnd());
            }
        }
        if (shape.throwProbability() > 0 && steps.stream().noneMatch(s -> s instanceof PSubmit p
                && p.throwingMember() >= 0)) {
            int at = submitSteps.get(rnd.nextInt(submitSteps.size()));
            PSubmit p = (PSubmit) steps.get(at);
            steps.set(at, new PSubmit(p.node(), p.chip(), p.group(), p.members(), p.work(),
                    rnd.nextInt(p.members().size())));
        }
        return new RandomDag(seed, List.copyOf(steps), node, arenaUsed);
    }

    private static TensorArgType randomTag(SplittableRandom rnd) {
        int t = rnd.nextInt(100);
        if (t < 35) {
            return TensorArgType.INPUT;
        } else if (t < 60) {
            return TensorArgType.INOUT;
        } else if (t < 75) {
            return TensorArgType.OUTPUT;
        } else if (t < 90) {
            return TensorArgType.OUTPUT_EXISTING;
        }
        return TensorArgType.NO_DEP;
    }

    /** Zero, a short busy spin, a longer one, or (rarely) a park: simulated work of 0..~300 µs. */
    private static long randomWork(SplittableRandom rnd) {
        int w = rnd.nextInt(100);
        if (w < 40) {
            return 0;
        } else if (w < 75) {
            return 1_000 + rnd.nextInt(19_000);
        } else if (w < 95) {
            return 20_000 + rnd.nextInt(80_000);
        }
        return -(50_000 + rnd.nextInt(250_000));
    }

    /** What one replay of the plan did, filled in by the orch fn on the orchestrator's thread. */
    static final class Replay {
        final List<SequentialModel.Op> ops = new ArrayList<>();
        final int[] slotOfNode;
        final boolean[] chipNode;
        final int[] throwingMember;

        Replay(int nodes) {
            slotOfNode = new int[nodes];
            chipNode = new boolean[nodes];
            throwingMember = new int[nodes];
            Arrays.fill(slotOfNode, -1);
            Arrays.fill(throwingMember, -1);
        }
    }

    /**
     * The orch fn that replays this plan as run {@code runId}: arena handle i is {@code arena[i]}, tasks call
     * sub callable {@code subProbe} or chip callable {@code chipProbe}; what it did goes into {@code replay}.
     */
    OrchFn orchFn(long runId, ContinuousTensor[] arena, int subProbe, long chipProbe, Replay replay) {
        return (orch, args, cfg) -> {
            Map<Integer, ContinuousTensor> handles = new HashMap<>();
            for (int i = 0; i < arena.length; i++) {
                handles.put(i, arena[i]);
            }
            for (Step step : steps) {
                if (step instanceof PBegin) {
                    orch.scopeBegin();
                    replay.ops.add(new SequentialModel.ScopeBegin());
                } else if (step instanceof PEnd) {
                    orch.scopeEnd();
                    replay.ops.add(new SequentialModel.ScopeEnd());
                } else if (step instanceof PAlloc a) {
                    ContinuousTensor t = orch.alloc(DataType.FLOAT32, a.elems());
                    handles.put(a.handle(), t);
                    replay.ops.add(new SequentialModel.Alloc(t.data()));
                } else if (step instanceof PSubmit s) {
                    List<TaskArgs> members = new ArrayList<>();
                    for (int m = 0; m < s.members().size(); m++) {
                        TaskArgs ta = new TaskArgs();
                        for (PArg a : s.members().get(m)) {
                            ContinuousTensor t;
                            if (a.fresh()) {
                                t = ContinuousTensor.of(0, DataType.FLOAT32, a.elems());
                            } else if (a.handle() == NO_TENSOR) {
                                t = ContinuousTensor.of(0, DataType.FLOAT32, 1);
                            } else {
                                t = handles.get(a.handle());
                            }
                            ta.addTensor(t, a.tag());
                        }
                        Probe.scalars(ta, runId, s.node(), m, s.work()[m], m == s.throwingMember());
                        members.add(ta);
                    }
                    replay.chipNode[s.node()] = s.chip();
                    replay.throwingMember[s.node()] = s.throwingMember();
                    SubmitResult r;
                    if (s.chip()) {
                        r = s.group() ? orch.submitNextLevelGroup(chipProbe, members, CallConfig.DEFAULT)
                                : orch.submitNextLevel(chipProbe, members.get(0), CallConfig.DEFAULT);
                    } else {
                        r = s.group() ? orch.submitSubGroup(subProbe, members)
                                : orch.submitSub(subProbe, members.get(0));
                    }
                    replay.slotOfNode[s.node()] = r.taskSlot();
                    List<List<SequentialModel.Arg>> recorded = new ArrayList<>();
                    for (int m = 0; m < members.size(); m++) {
                        TaskArgs ta = members.get(m);
                        List<SequentialModel.Arg> margs = new ArrayList<>();
                        for (int i = 0; i < ta.tensorCount(); i++) {
                            PArg a = s.members().get(m).get(i);
                            ContinuousTensor t = ta.tensor(i); // auto-allocated OUTPUTs read back
                            if (a.fresh()) {
                                if (t.data() == 0) {
                                    throw new AssertionError("OUTPUT with data 0 was not auto-allocated: node "
                                            + s.node() + " member " + m + " tensor " + i);
                                }
                                handles.put(a.handle(), t);
                            }
                            margs.add(new SequentialModel.Arg(t.data(), ta.tag(i)));
                        }
                        recorded.add(margs);
                    }
                    replay.ops.add(new SequentialModel.Submit(recorded));
                }
            }
        };
    }
}
