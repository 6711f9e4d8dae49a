package dev.strata.node.matmul;

import dev.strata.config.InvalidSettingException;
import dev.strata.node.job.JobSection;
import java.util.List;

/**
 * Settings of a {@code level4-matmul} job, read from {@code strata.job}; see the node's {@code reference.conf}.
 * An invalid value fails naming its key.
 *
 * @param matrixSize  order n of the square FLOAT32 matrices A, B and C = A x B
 * @param tileSize    rows of C one chip task computes (the last tile of a panel may have fewer)
 * @param seed        seed of the random A (B uses seed + 1)
 * @param blockDim    blocks per chip task (CallConfig.blockDim), each computing its own rows of the tile
 * @param maxError    largest accepted max |C - C_ref| against a double-precision multiply
 * @param repetitions timed multiplies on the engines and in one thread; the median is reported
 */
public record MatmulSettings(int matrixSize, int tileSize, long seed, int blockDim, double maxError,
                             int repetitions) {
    /** The job settings this job reads, below {@code strata.job}. */
    public static final List<String> KEYS =
            List.of("matrix-size", "tile-size", "seed", "block-dim", "max-error", "repetitions");

    /** Largest matrix: the head keeps A, B, two results as float[n*n] and the reference as double[n*n]. */
    public static final int MAX_MATRIX_SIZE = 8192;
    /** Most timed runs per side. */
    public static final int MAX_REPETITIONS = 100;

    public MatmulSettings {
        if (matrixSize < 1 || matrixSize > MAX_MATRIX_SIZE) {
            throw new InvalidSettingException(JobSection.key("matrix-size"), matrixSize,
                    "must be between 1 and " + MAX_MATRIX_SIZE);
        }
        if (tileSize < 1 || tileSize > matrixSize) {
            throw new InvalidSettingException(JobSection.key("tile-size"), tileSize,
                    "must be between 1 and " + JobSection.key("matrix-size") + " (" + matrixSize + ")");
        }
        if (blockDim < 1 || blockDim > tileSize) {
            throw new InvalidSettingException(JobSection.key("block-dim"), blockDim,
                    "must be between 1 and " + JobSection.key("tile-size") + " (" + tileSize + ")");
        }
        if (!(maxError > 0) || Double.isInfinite(maxError)) {
            throw new InvalidSettingException(JobSection.key("max-error"), maxError, "must be a number > 0");
        }
        if (repetitions < 1 || repetitions > MAX_REPETITIONS) {
            throw new InvalidSettingException(JobSection.key("repetitions"), repetitions,
                    "must be between 1 and " + MAX_REPETITIONS);
        }
    }

    /** Reads and validates the settings. */
    public static MatmulSettings read(JobSection job) {
        return new MatmulSettings(job.integer("matrix-size"), job.integer("tile-size"), job.longInteger("seed"),
                job.integer("block-dim"), job.number("max-error"), job.integer("repetitions"));
    }

    /** Floating-point operations of one multiply: 2n³ (a multiply and an add per term). */
    public double flops() {
        return 2.0 * Math.pow(matrixSize, 3);
    }

    /** Bytes of A, B and C in the head's tensor memory (alignment not included). */
    public long dataBytes() {
        return 3L * matrixSize * matrixSize * Float.BYTES;
    }
}
