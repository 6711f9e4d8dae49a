package dev.strata.process;

import dev.strata.memory.MappedFile;
import dev.strata.chip.ChipWorker;
import dev.strata.memory.SharedTensorMemory;
import dev.strata.process.Doorbell.Wake;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The main class of a chip-process child JVM: connects its doorbell, attaches the node's tensor memory
 * (same file, same addresses), maps its mailbox, instantiates the kernels by class name, builds a
 * {@link ChipWorker} over them, publishes the ready handshake, and then runs one task per TASK_READY until
 * SHUTDOWN — or exits on its own when its parent is gone. Started by {@link ChipProcess}; not meant to be
 * run by hand.
 */
public final class ChipProcessMain {
    /** Exit code after a SHUTDOWN request. */
    public static final int EXIT_SHUTDOWN = 0;
    /** Exit code when the child cannot start (bad arguments, a kernel class that does not load, ...). */
    public static final int EXIT_START_FAILED = 2;
    /** Exit code when the parent JVM died: the child removes the files it shared with it and leaves. */
    public static final int EXIT_PARENT_GONE = 4;
    /** What a child that cannot start prints first: Strata's code ran in it, so its JVM and launcher work. */
    static final String CANNOT_START = "chip process cannot start";

    // After a task the next one usually follows within tens of microseconds (a queued dispatch, or the next
    // hop of a chain): stay awake that long, yielding the core to whoever needs it, then block. Measured on
    // 2 cores: longer spinning starves the other side, blocking at once pays a wake-up (~15 us) per task.
    private static final long SPIN_NANOS = 1_000;
    private static final long YIELD_NANOS = 200_000;
    private static final int MAX_FRAMES = 40;
    private static final long PARENT_EXIT_GRACE_NANOS = 2_000_000_000L;

    private ChipProcessMain() {
    }

    /** Entry point of the child; the arguments are those of {@code ChildSpec.toArgs()}. */
    public static void main(String[] args) {
        ChildSpec spec;
        ProcessHandle parent;
        Mailbox mailbox;
        Doorbell doorbell;
        ChipWorker chip;
        try {
            spec = ChildSpec.parse(args);
            parent = ProcessHandle.of(spec.parentPid()).filter(ProcessHandle::isAlive)
                    .orElseThrow(() -> new IllegalStateException("parent process " + spec.parentPid()
                            + " is not running"));
            doorbell = Doorbell.connect(spec.doorbell());
            SharedTensorMemory memory = SharedTensorMemory.attach(spec.memory(), spec.arenaSize(), spec.heapSize());
            List<ChipKernel> kernels = new ArrayList<>();
            for (String className : spec.kernelClasses()) {
                kernels.add(KernelClasses.instantiate(className));
            }
            chip = new ChipWorker(spec.chipIndex(), kernels, spec.kernelNames(), memory, spec.chipThreads(),
                    spec.checkTags());
            mailbox = Mailbox.open(spec.mailbox());
            startHeartbeat(spec, mailbox);
            // Nobody else would delete the files it shares with the parent: leave when the parent is gone,
            // also while a kernel runs (the doorbell is watched only between tasks).
            parent.onExit().thenRun(() -> parentGone(spec, "it is no longer running"));
            mailbox.markReady(ProcessHandle.current().pid());
            doorbell.ring();
        } catch (Throwable t) {
            System.err.println(CANNOT_START + ": " + t);
            t.printStackTrace();
            System.exit(EXIT_START_FAILED);
            return;
        }
        serve(mailbox, doorbell, chip, spec, parent);
        chip.close();
        System.exit(EXIT_SHUTDOWN);
    }

    /** Runs tasks until SHUTDOWN; the kernel runs on this (the main) thread. */
    private static void serve(Mailbox mailbox, Doorbell doorbell, ChipWorker chip, ChildSpec spec,
                              ProcessHandle parent) {
        Backoff backoff = new Backoff(SPIN_NANOS, YIELD_NANOS);
        while (true) {
            int state = awaitWork(mailbox, doorbell, backoff, spec, parent);
            if (state == Mailbox.SHUTDOWN) {
                return;
            }
            if (runOne(mailbox, chip, spec)) {
                doorbell.ring();
            }
        }
    }

    /** Waits for TASK_READY or SHUTDOWN: busy for a moment, then blocked on the doorbell. */
    private static int awaitWork(Mailbox mailbox, Doorbell doorbell, Backoff backoff, ChildSpec spec,
                                 ProcessHandle parent) {
        backoff.start(System.nanoTime());
        int state;
        while ((state = mailbox.state()) != Mailbox.TASK_READY && state != Mailbox.SHUTDOWN) {
            if (backoff.idle()) {
                continue;
            }
            state = mailbox.childSleeps();
            if (state == Mailbox.TASK_READY || state == Mailbox.SHUTDOWN) {
                mailbox.childAwake();
                return state;
            }
            Wake wake;
            try {
                wake = doorbell.await(0);
            } catch (IOException e) {
                wake = Wake.CLOSED;
            }
            mailbox.childAwake();
            if (wake == Wake.CLOSED) {
                doorbellClosed(spec, parent);
            }
        }
        return state;
    }

    /** Runs the posted task and publishes TASK_DONE; returns whether the parent must be rung. */
    private static boolean runOne(Mailbox mailbox, ChipWorker chip, ChildSpec spec) {
        long callable;
        CallConfig config;
        int groupIndex;
        TaskArgsView args;
        try {
            callable = mailbox.callable();
            config = mailbox.config();
            groupIndex = mailbox.groupIndex();
            args = mailbox.args(spec.checkTags());
        } catch (RuntimeException e) {
            return mailbox.complete(Mailbox.BAD_DISPATCH, errorText(e));
        }
        if (callable < 0 || callable >= spec.kernelClasses().size()) {
            return mailbox.complete(Mailbox.BAD_DISPATCH, new TaskError(IllegalArgumentException.class.getName(),
                    "unknown chip callable id " + callable + " (the child has " + spec.kernelClasses().size()
                    + " kernels)", List.of()).toText(MAX_FRAMES));
        }
        String warning;
        try {
            // The tag checker (when on) runs here, where the kernel runs: its warning goes back as the error text.
            warning = chip.run(callable, spec.kernelNames().get((int) callable), args, config, groupIndex);
        } catch (Throwable t) {
            // Errors too: the parent must learn why, and this child stays usable if it can.
            return mailbox.complete(Mailbox.KERNEL_FAILED, errorText(t));
        }
        return warning == null ? mailbox.complete(Mailbox.OK, null) : mailbox.complete(Mailbox.WARNED, warning);
    }

    /** The failure as the mailbox carries it: {@link TaskError}'s text, with as many frames as fit 4 KiB. */
    static String errorText(Throwable t) {
        return TaskError.of(t).toText(MAX_FRAMES);
    }

    /** Beats every heartbeat interval: a still heartbeat tells the parent that this child is frozen. */
    private static void startHeartbeat(ChildSpec spec, Mailbox mailbox) {
        Thread beat = new Thread(() -> {
            while (true) {
                mailbox.beat();
                LockSupport.parkNanos(spec.heartbeatIntervalNanos());
            }
        }, "strata-chip-" + spec.chipIndex() + "-heartbeat");
        beat.setDaemon(true);
        beat.start();
    }

    /**
     * The parent's end of the doorbell closed: it died, or it is ending this child. Only in the first case
     * are the shared files orphans to remove; a dying parent may take a moment to be reported as gone.
     */
    private static void doorbellClosed(ChildSpec spec, ProcessHandle parent) {
        try {
            parent.onExit().get(PARENT_EXIT_GRACE_NANOS, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Still running (or the JDK has not noticed yet): the direct check below decides.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!parent.isAlive()) {
            parentGone(spec, "its doorbell closed");
        }
        System.err.println("chip process " + spec.chipIndex() + ": the parent closed the doorbell; exiting");
        Runtime.getRuntime().halt(EXIT_SHUTDOWN);
    }

    private static void parentGone(ChildSpec spec, String why) {
        System.err.println("chip process " + spec.chipIndex() + ": parent " + spec.parentPid() + " is gone (" + why
                + "); removing shared files and exiting");
        MappedFile.deleteQuietly(spec.mailbox());
        MappedFile.deleteQuietly(spec.memory());
        MappedFile.deleteQuietly(spec.log());
        Runtime.getRuntime().halt(EXIT_PARENT_GONE);
    }
}
