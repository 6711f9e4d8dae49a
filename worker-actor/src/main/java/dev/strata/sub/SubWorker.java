package dev.strata.sub;

import dev.strata.check.TagCheck;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.SubCallable;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorMemory;
import dev.strata.worker.GroupTaskWorker;
import dev.strata.worker.RunningTask;
import java.util.List;

/**
 * A sub worker: runs registered {@link SubCallable}s; the callable id is the registry index (the seed's
 * {@code DistSubWorker} reads the low 32 bits of the callable). With the tag checker on each call is wrapped in a
 * {@link TagCheck}, naming the callable {@code sub#<id>} as failure reports do.
 */
public final class SubWorker implements GroupTaskWorker {
    private final SubCallable[] registry;
    private final TensorMemory memory;
    private final boolean checkTags;
    private String warning; // the last task's, until the worker actor takes it

    /** A sub worker over the registry (index = callable id) and the node's memory. */
    public SubWorker(List<SubCallable> registry, TensorMemory memory) {
        this(registry, memory, false);
    }

    /** As above, with the tag checker {@code checkTags} on or off. */
    public SubWorker(List<SubCallable> registry, TensorMemory memory, boolean checkTags) {
        this.registry = registry.toArray(new SubCallable[0]);
        this.memory = memory;
        this.checkTags = checkTags;
    }

    @Override
    public String takeWarning() {
        String w = warning;
        warning = null;
        return w;
    }

    @Override
    public void run(long callable, TaskArgsView args, CallConfig config, int groupIndex) throws Exception {
        if (callable < 0 || callable >= registry.length) {
            throw new IllegalArgumentException("unknown sub callable id " + callable + " (registered: "
                    + registry.length + ")");
        }
        SubCallable fn = registry[(int) callable];
        RunningTask task = new RunningTask(args, config, memory, groupIndex, 0);
        if (!checkTags) {
            fn.call(task);
            return;
        }
        TagCheck check = TagCheck.before(args, memory);
        fn.call(task);
        warning = check == null ? null : check.after("sub#" + callable);
    }
}
