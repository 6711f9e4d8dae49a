package dev.strata.stress;

import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The task body of the stress tests, registered once as a sub callable and once as a chip kernel: it
 * records when each task member starts and ends on one global clock (an {@link AtomicLong} ticked at every
 * start and end), does some simulated work, and throws if told to.
 *
 * <p>Scalars of every member: {@code [run id, node, member, work, throw]}; work {@code > 0} busy-spins that
 * many nanoseconds, {@code < 0} parks for {@code -work} nanoseconds (simulated task work, not a wait for
 * actors), 0 returns at once.
 */
final class Probe {
    /** Members per node the log has room for (the widest group the stress workers allow). */
    static final int MAX_WIDTH = 4;

    /** One tick per start and per end of any member, in any run: the order in which things happened. */
    final AtomicLong clock = new AtomicLong();
    /** Tasks that ran outside the run that submitted them (after it returned, or into a later run). */
    final ConcurrentLinkedQueue<String> strays = new ConcurrentLinkedQueue<>();
    private volatile Run current;

    /** The scalars a probe member reads. */
    static TaskArgs scalars(TaskArgs args, long runId, int node, int member, long work, boolean fail) {
        return args.addScalar(runId).addScalar(node).addScalar(member).addScalar(work).addScalar(fail ? 1 : 0);
    }

    /** Starts recording run {@code runId} with room for nodes {@code 0..nodes-1}. */
    Run begin(long runId, int nodes) {
        Run r = new Run(runId, nodes);
        current = r;
        return r;
    }

    /** Stops recording: from now on any probe that runs is a stray. */
    void end() {
        current = null;
    }

    /** The callable / kernel body. */
    void call(TaskContext ctx) throws Exception {
        TaskArgsView a = ctx.args();
        long runId = a.scalar(0);
        int node = (int) a.scalar(1);
        int member = (int) a.scalar(2);
        long work = a.scalar(3);
        boolean fail = a.scalar(4) != 0;
        Run run = current;
        if (run == null || run.runId != runId) {
            strays.add("node " + node + " member " + member + " of run " + runId + " ran while "
                    + (run == null ? "no run was in progress" : "run " + run.runId + " was in progress"));
            return;
        }
        if (ctx.groupIndex() != member) {
            run.problems.add("node " + node + " member " + member + " saw groupIndex " + ctx.groupIndex());
        }
        int i = run.index(node, member);
        if (run.runs.incrementAndGet(i) > 1) {
            run.problems.add("node " + node + " member " + member + " ran twice");
        }
        run.start.set(i, clock.incrementAndGet());
        if (work > 0) {
            long until = System.nanoTime() + work;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        } else if (work < 0) {
            LockSupport.parkNanos(-work);
        }
        run.end.set(i, clock.incrementAndGet());
        if (fail) {
            throw new ProbeFailure(node, member);
        }
    }

    /** What a throwing probe throws. */
    static final class ProbeFailure extends Exception {
        ProbeFailure(int node, int member) {
            super("probe failure: node " + node + " member " + member);
        }
    }

    /** The record of one run: per node and member, how often it ran and its start and end ticks. */
    static final class Run {
        final long runId;
        final int nodes;
        final AtomicIntegerArray runs;
        final AtomicLongArray start;
        final AtomicLongArray end;
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();

        Run(long runId, int nodes) {
            this.runId = runId;
            this.nodes = nodes;
            runs = new AtomicIntegerArray(nodes * MAX_WIDTH);
            start = new AtomicLongArray(nodes * MAX_WIDTH);
            end = new AtomicLongArray(nodes * MAX_WIDTH);
        }

        int index(int node, int member) {
            if (node < 0 || node >= nodes || member < 0 || member >= MAX_WIDTH) {
                throw new IllegalArgumentException("node " + node + " member " + member + " outside the log");
            }
            return node * MAX_WIDTH + member;
        }

        int runs(int node, int member) {
            return runs.get(index(node, member));
        }

        long start(int node, int member) {
            return start.get(index(node, member));
        }

        long end(int node, int member) {
            return end.get(index(node, member));
        }

        List<String> problems() {
            return List.copyOf(problems);
        }
    }
}
