package dev.strata.worker;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsSnapshot;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Run one task (or one member of a group) on a worker: the seed's {@code WorkerDispatch{slot, groupIndex}}
 * plus the task data the worker needs, because a worker may live in another process or node.
 * A dispatch with a non-empty {@link #after()} was sent before its producers finished, to the worker that
 * runs them: the worker runs its dispatches in order, so they are done by the time it gets here, and it
 * skips this one if any of them failed.
 *
 * @param slot       the task's slot
 * @param groupIndex member index in a group, 0 for single tasks
 * @param callable   registered callable id, interpreted by the worker kind
 * @param args       this member's arguments
 * @param config     launch configuration
 * @param epoch      the scheduler's run number, so slot ids of different runs are never confused
 * @param after      slots queued earlier on this same worker whose success this task needs (its producers
 *                   that had not completed when it was dispatched early); empty for a ready task
 * @param fault      what a test injects into this dispatch ({@link InjectedFault}), or null: nearly always
 * @param replyTo    where the {@link TaskDone} goes
 */
public record WorkerDispatch(int slot, int groupIndex, long callable, TaskArgsSnapshot args, CallConfig config,
                             int epoch, int[] after, InjectedFault fault,
                             ActorRef<TaskDone> replyTo) implements WorkerActor.Command {
}
