package dev.strata.check;

import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.TaskArgsSnapshot;
import dev.strata.protocol.TaskArgsView;
import dev.strata.protocol.TensorArgType;
import dev.strata.protocol.TensorMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The tag checker for one task ({@code strata.check.tags}, docs/checks.md): {@link #before} checksums the bytes of
 * every tensor the task declared it only reads (INPUT) or reads without a dependency (NO_DEP) just before its callable
 * runs, {@link #after} checksums them again once it returned. A changed INPUT fails the task
 * ({@link TagViolationException}); a changed NO_DEP is only a warning, since a NO_DEP tensor may be written on
 * purpose. Run where the callable runs (a THREAD-mode worker, a chip's child JVM, a worker node), on the memory it
 * runs on; the caller asks for it only when the check is on, so an engine with the check off computes nothing.
 *
 * <p>CRC32C over each tensor's bytes, read through the memory's {@link java.nio.ByteBuffer} view (no copy; the JDK's
 * CRC32C is hardware-accelerated). A tensor whose bytes overlap one the same task may write (OUTPUT, INOUT,
 * OUTPUT_EXISTING: the same buffer passed twice) is not checked: those bytes may change by the task's own tags.
 * Plain and single-threaded: one instance per task run.
 */
public final class TagCheck {
    private final TaskArgsView args;
    private final TensorMemory memory;
    private final int[] positions; // the args' tensor positions checked
    private final TensorArgType[] tags;
    private final long[] sums;

    private TagCheck(TaskArgsView args, TensorMemory memory, int[] positions, TensorArgType[] tags) {
        this.args = args;
        this.memory = memory;
        this.positions = positions;
        this.tags = tags;
        this.sums = new long[positions.length];
        for (int i = 0; i < positions.length; i++) {
            sums[i] = checksum(args.tensor(positions[i]));
        }
    }

    /**
     * Checksums the INPUT and NO_DEP tensors of {@code args} in {@code memory}, before the callable runs. The tags are
     * those a {@link TaskArgsSnapshot} carries past submit ({@link TaskArgsSnapshot#tags()}).
     *
     * @return the check to finish with {@link #after}, or null when there is nothing to check (no tags known, or no
     *         INPUT or NO_DEP tensor)
     */
    public static TagCheck before(TaskArgsView args, TensorMemory memory) {
        List<TensorArgType> tagsOf = args instanceof TaskArgsSnapshot s ? s.tags() : null;
        if (tagsOf == null) {
            return null;
        }
        List<Integer> checked = new ArrayList<>();
        for (int i = 0; i < args.tensorCount(); i++) {
            TensorArgType tag = tagsOf.get(i);
            ContinuousTensor t = args.tensor(i);
            if ((tag == TensorArgType.INPUT || tag == TensorArgType.NO_DEP) && t.data() != 0 && t.nbytes() > 0
                    && !overlapsWritten(args, tagsOf, t)) {
                checked.add(i);
            }
        }
        if (checked.isEmpty()) {
            return null;
        }
        int[] positions = checked.stream().mapToInt(Integer::intValue).toArray();
        TensorArgType[] tags = new TensorArgType[positions.length];
        for (int i = 0; i < positions.length; i++) {
            tags[i] = tagsOf.get(positions[i]);
        }
        return new TagCheck(args, memory, positions, tags);
    }

    /**
     * Checksums the tensors again after the callable {@code callableName} returned (not after it threw: the task has
     * failed already).
     *
     * @return a warning naming every NO_DEP tensor the callable wrote, or null when it wrote none
     * @throws TagViolationException naming the callable and every INPUT tensor it wrote (position, address, size)
     */
    public String after(String callableName) {
        StringBuilder inputs = null;
        StringBuilder noDeps = null;
        for (int i = 0; i < positions.length; i++) {
            ContinuousTensor t = args.tensor(positions[i]);
            if (checksum(t) == sums[i]) {
                continue;
            }
            if (tags[i] == TensorArgType.INPUT) {
                inputs = append(inputs, t, positions[i]);
            } else {
                noDeps = append(noDeps, t, positions[i]);
            }
        }
        if (inputs != null) {
            throw new TagViolationException("callable '" + callableName + "' wrote " + inputs + ", declared INPUT but"
                    + " written by the callable: tag it INOUT (or OUTPUT) if the kernel writes it on purpose, else fix"
                    + " the kernel (strata.check.tags = on)" + (noDeps == null ? "" : "; it also wrote NO_DEP " + noDeps));
        }
        return noDeps == null ? null : "callable '" + callableName + "' wrote " + noDeps + ", tagged NO_DEP: no"
                + " dependency orders that write against the tasks that use the tensor";
    }

    private static StringBuilder append(StringBuilder b, ContinuousTensor t, int position) {
        StringBuilder out = b == null ? new StringBuilder() : b.append(" and ");
        return out.append("tensor ").append(position).append(" of its args (address 0x")
                .append(Long.toHexString(t.data())).append(", ").append(t.nbytes()).append(" bytes)");
    }

    private long checksum(ContinuousTensor t) {
        CRC32C crc = new CRC32C();
        crc.update(memory.bytes(t));
        return crc.getValue();
    }

    /** Whether {@code t}'s bytes overlap those of a tensor of the same args that the task may write. */
    private static boolean overlapsWritten(TaskArgsView args, List<TensorArgType> tags, ContinuousTensor t) {
        for (int j = 0; j < args.tensorCount(); j++) {
            TensorArgType tag = tags.get(j);
            if (tag == TensorArgType.INPUT || tag == TensorArgType.NO_DEP) {
                continue;
            }
            ContinuousTensor w = args.tensor(j);
            if (w.data() != 0 && w.data() < t.data() + t.nbytes() && t.data() < w.data() + w.nbytes()) {
                return true;
            }
        }
        return false;
    }
}
