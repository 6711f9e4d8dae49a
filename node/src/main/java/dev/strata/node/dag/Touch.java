package dev.strata.node.dag;

import dev.strata.protocol.SubCallable;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TaskContext;
import java.nio.LongBuffer;

/**
 * The trivial sub callables of the {@code noop-dag} job. Each touches one INT64 value, so a run can check
 * that every task ran once and in an order its tags allow, at a cost far below the engine's per task.
 */
final class Touch {

    private Touch() {
    }

    /** Tensor 0 += 1. */
    static final SubCallable INCREMENT = ctx -> {
        LongBuffer v = ctx.memory().longs(ctx.args().tensor(0));
        v.put(0, v.get(0) + 1);
    };

    /** Tensor 1 := tensor 0 + 1 (a fan reader: it must see the producer's value). */
    static final SubCallable READ_PLUS_ONE = ctx -> {
        long in = value(ctx, 0);
        ctx.memory().longs(ctx.args().tensor(1)).put(0, in + 1);
    };

    /** Last tensor := the sum of all the others (the fan's final task). */
    static final SubCallable SUM = ctx -> {
        TaskArgsView args = ctx.args();
        int last = args.tensorCount() - 1;
        long sum = 0;
        for (int i = 0; i < last; i++) {
            sum += value(ctx, i);
        }
        ctx.memory().longs(args.tensor(last)).put(0, sum);
    };

    private static long value(TaskContext ctx, int tensor) {
        return ctx.memory().longs(ctx.args().tensor(tensor)).get(0);
    }
}
