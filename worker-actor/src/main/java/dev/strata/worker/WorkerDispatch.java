package dev.strata.worker;

import dev.strata.protocol.CallConfig;
import dev.strata.protocol.TaskArgsSnapshot;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Run one task (or one member of a group) on a worker: the seed's {@code WorkerDispatch{slot, groupIndex}}
 * plus the task data the worker needs, because a worker may live in another process or node.
 *
 * @param slot       the task's slot
 * @param groupIndex member index in a group, 0 for single tasks
 * @param callable   registered callable id, interpreted by the worker kind
 * @param args       this member's arguments
 * @param config     launch configuration
 * @param replyTo    where the {@link TaskDone} goes
 */
public record WorkerDispatch(int slot, int groupIndex, long callable, TaskArgsSnapshot args, CallConfig config,
                             ActorRef<TaskDone> replyTo) implements WorkerActor.Command {
}
