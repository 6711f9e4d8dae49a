package dev.strata.bench;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;
import java.nio.ByteBuffer;

/**
 * A chip kernel that reads and writes every byte of tensor 0 (inverts its bits, so every byte changes): the transfer scenario's task, whose
 * whole tensor must travel to the node and back. A public class with a public no-arg constructor: a worker node
 * makes it by name.
 */
public final class TouchKernel implements ChipKernel {
    @Override
    public void run(TaskContext ctx) {
        ByteBuffer b = ctx.memory().bytes(ctx.args().tensor(0));
        int longs = b.remaining() / Long.BYTES;
        for (int i = 0; i < longs; i++) {
            int at = b.position() + i * Long.BYTES;
            b.putLong(at, ~b.getLong(at));
        }
        for (int at = b.position() + longs * Long.BYTES; at < b.limit(); at++) {
            b.put(at, (byte) ~b.get(at));
        }
    }
}
