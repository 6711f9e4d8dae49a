package dev.strata.testkit;

import dev.strata.dispatch.DispatchPoint;
import dev.strata.dispatch.FaultPlan;
import dev.strata.process.ChipProcessMain;
import dev.strata.worker.InjectedFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Faults on demand for the engines a test builds with the kit: each call below is one line in a test and adds a
 * rule that this plan applies to the dispatches of every run that follows. The engine records every fault given
 * in the run's trace (a mark named {@code fault}), so a report shows what was injected where.
 *
 * <p>The scheduler asks the plan about each dispatch on its own thread: the rules only count and compare, and
 * what takes time (crashing a node) runs on a thread of its own.
 */
public final class Faults implements FaultPlan {
    /** One fault rule: the fault for a dispatch, or null. */
    private interface Rule {
        InjectedFault at(DispatchPoint point);
    }

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final InJvmCluster cluster; // null: local engines

    Faults(InJvmCluster cluster) {
        this.cluster = cluster;
    }

    /** The next call of {@code callable} (by its registered name) fails with {@code InjectedFaultException}. */
    public Faults failNext(String callable) {
        Objects.requireNonNull(callable, "callable");
        AtomicBoolean used = new AtomicBoolean();
        rules.add(p -> p.callable().equals(callable) && used.compareAndSet(false, true)
                ? InjectedFault.fail("next call of '" + callable + "'") : null);
        return this;
    }

    /**
     * Every dispatch that {@code which} accepts fails with {@code InjectedFaultException}; e.g.
     * {@code p -> p.callable().equals("gemm") && p.slot() == 7} or {@code p -> p.groupIndex() == 2}.
     */
    public Faults failEvery(Predicate<DispatchPoint> which) {
        Objects.requireNonNull(which, "which");
        rules.add(p -> which.test(p) ? InjectedFault.fail("task " + p.slot() + (p.groupIndex() > 0 ? " member "
                + p.groupIndex() : "") + " of '" + p.callable() + "'") : null);
        return this;
    }

    /** Every call of {@code callable} starts {@code delay} later. */
    public Faults delay(String callable, Duration delay) {
        Objects.requireNonNull(callable, "callable");
        InjectedFault fault = InjectedFault.delay(delay);
        rules.add(p -> p.callable().equals(callable) ? fault : null);
        return this;
    }

    /**
     * When the {@code k}-th call (from 1) of {@code callable} is dispatched to a PROCESS-mode chip of this JVM's
     * engine, that chip's child JVM is killed (SIGKILL) before the dispatch reaches it: the task fails with the
     * chip-process error, or, if the proxy sees the child gone first, runs on a fresh child. The kill is sent on
     * the scheduler's thread, a signal that does not block, so that it precedes the dispatch.
     *
     * @return completes with the killed process's pid, or exceptionally when the dispatch did not go to a chip
     *         with a child process
     */
    public CompletableFuture<Long> killChipProcessAt(String callable, int k) {
        CompletableFuture<Long> killed = new CompletableFuture<>();
        rules.add(kth(callable, k, p -> {
            Optional<ProcessHandle> child = chipIndex(p.worker()).flatMap(Faults::chipProcess);
            if (child.isEmpty()) {
                killed.completeExceptionally(new IllegalStateException("call " + k + " of '" + callable + "' went to "
                        + p.worker() + ", which has no chip process of this JVM to kill (PROCESS mode only)"));
                return InjectedFault.noted("kill " + p.worker() + "'s process: none found");
            }
            child.get().destroyForcibly();
            killed.complete(child.get().pid());
            return InjectedFault.noted("kill " + p.worker() + "'s process (pid " + child.get().pid() + ")");
        }));
        return killed;
    }

    /**
     * When the {@code k}-th call (from 1) of {@code callable} is dispatched, worker node {@code node} of the
     * in-JVM cluster crashes ({@link InJvmNode#crash()}, on another thread): its tasks in flight are lost and the
     * head runs them again on the other nodes once its failure detector has removed it (some seconds).
     *
     * @return completes once the node's actor system has stopped
     */
    public CompletableFuture<Void> crashNodeAt(int node, String callable, int k) {
        InJvmNode victim = requireCluster().node(node);
        CompletableFuture<Void> crashed = new CompletableFuture<>();
        rules.add(kth(callable, k, p -> {
            cluster.crashAsync(node).whenComplete((done, e) -> {
                if (e == null) {
                    crashed.complete(null);
                } else {
                    crashed.completeExceptionally(e);
                }
            });
            return InjectedFault.noted("crash node " + node + " (" + victim.hostPort() + ")");
        }));
        return crashed;
    }

    /** Crashes worker node {@code node} of the in-JVM cluster now; returns once it has stopped. */
    public void crashNode(int node) {
        requireCluster().node(node).crash();
    }

    @Override
    public InjectedFault at(DispatchPoint point) {
        List<InjectedFault> given = new ArrayList<>(1);
        for (Rule r : rules) {
            InjectedFault f = r.at(point);
            if (f != null) {
                given.add(f);
            }
        }
        if (given.size() <= 1) {
            return given.isEmpty() ? null : given.get(0);
        }
        // Several rules hit one dispatch: the delays add up, the first failure wins, the trace says all of it.
        String failure = given.stream().map(InjectedFault::failure).filter(Objects::nonNull).findFirst().orElse(null);
        long delay = given.stream().mapToLong(InjectedFault::delayMillis).sum();
        return new InjectedFault(failure, delay, String.join("; ", given.stream().map(InjectedFault::description)
                .toList()));
    }

    /** A rule that gives {@code fault}'s answer at the {@code k}-th dispatch of {@code callable}, once. */
    private static Rule kth(String callable, int k, Rule fault) {
        Objects.requireNonNull(callable, "callable");
        if (k < 1) {
            throw new IllegalArgumentException("calls are counted from 1, got " + k);
        }
        AtomicInteger seen = new AtomicInteger();
        return p -> p.callable().equals(callable) && seen.incrementAndGet() == k ? fault.at(p) : null;
    }

    /** The chip index of a lane named {@code chip <i>}, else empty. */
    static Optional<Integer> chipIndex(String worker) {
        if (!worker.startsWith("chip ")) {
            return Optional.empty();
        }
        String rest = worker.substring("chip ".length());
        int end = 0;
        while (end < rest.length() && Character.isDigit(rest.charAt(end))) {
            end++;
        }
        return end == 0 ? Optional.empty() : Optional.of(Integer.parseInt(rest.substring(0, end)));
    }

    /** This JVM's live chip-process child of chip {@code chip}: its command line names the main class and chip. */
    private static Optional<ProcessHandle> chipProcess(int chip) {
        String chipArg = "--chip=" + chip;
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).filter(h -> h.info().arguments()
                .map(List::of).filter(a -> a.contains(ChipProcessMain.class.getName()) && a.contains(chipArg))
                .isPresent()).findFirst();
    }

    private InJvmCluster requireCluster() {
        if (cluster == null) {
            throw new IllegalStateException("node crashes need the cluster variant: StrataExtension.cluster(n)");
        }
        return cluster;
    }
}
