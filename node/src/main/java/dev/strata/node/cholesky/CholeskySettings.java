package dev.strata.node.cholesky;

import dev.strata.config.InvalidSettingException;
import dev.strata.node.job.JobSection;
import java.util.List;

/**
 * Settings of a {@code tiled-cholesky} job, read from {@code strata.job}; see the node's
 * {@code reference.conf}. An invalid value fails naming its key.
 *
 * @param matrixSize         order n of the matrix, a positive multiple of tileSize
 * @param tileSize           order of one square tile
 * @param seed               seed of the random SPD matrix
 * @param blockDim           blocks per TRSM/SYRK/GEMM call, 1..tileSize
 * @param maxResidual        largest accepted relative residual
 * @param sequentialBaseline whether to time the same kernels in one thread too
 * @param repetitions        timed factorisations on each side; the median is reported
 */
public record CholeskySettings(int matrixSize, int tileSize, long seed, int blockDim, double maxResidual,
                               boolean sequentialBaseline, int repetitions) {
    /** The job settings this job reads, below {@code strata.job}. */
    public static final List<String> KEYS =
            List.of("matrix-size", "tile-size", "seed", "block-dim", "max-residual", "sequential-baseline", "repetitions");

    /** Largest matrix: the job keeps the original in a double[n*n] for the residual. */
    public static final int MAX_MATRIX_SIZE = 16384;
    /** Largest tile: a tile is one float[] of tileSize² elements. */
    public static final int MAX_TILE_SIZE = 4096;
    /** Most timed runs per side. */
    public static final int MAX_REPETITIONS = 100;

    public CholeskySettings {
        if (tileSize < 1 || tileSize > MAX_TILE_SIZE) {
            throw new InvalidSettingException(JobSection.key("tile-size"), tileSize,
                    "must be between 1 and " + MAX_TILE_SIZE);
        }
        if (matrixSize < 1 || matrixSize % tileSize != 0 || matrixSize > MAX_MATRIX_SIZE) {
            throw new InvalidSettingException(JobSection.key("matrix-size"), matrixSize,
                    "must be a positive multiple of " + JobSection.key("tile-size") + " (" + tileSize
                            + "), at most " + MAX_MATRIX_SIZE);
        }
        if (blockDim < 1 || blockDim > tileSize) {
            throw new InvalidSettingException(JobSection.key("block-dim"), blockDim,
                    "must be between 1 and " + JobSection.key("tile-size") + " (" + tileSize + ")");
        }
        if (!(maxResidual > 0) || Double.isInfinite(maxResidual)) {
            throw new InvalidSettingException(JobSection.key("max-residual"), maxResidual, "must be a number > 0");
        }
        if (repetitions < 1 || repetitions > MAX_REPETITIONS) {
            throw new InvalidSettingException(JobSection.key("repetitions"), repetitions,
                    "must be between 1 and " + MAX_REPETITIONS);
        }
    }

    /** Reads and validates the settings. */
    public static CholeskySettings read(JobSection job) {
        return new CholeskySettings(job.integer("matrix-size"), job.integer("tile-size"), job.longInteger("seed"),
                job.integer("block-dim"), job.number("max-residual"), job.bool("sequential-baseline"),
                job.integer("repetitions"));
    }

    /** Tiles per row (and per column) of the matrix. */
    public int tiles() {
        return matrixSize / tileSize;
    }

    /** Floating-point operations of one factorisation, n³/3 by convention. */
    public double flops() {
        return Math.pow(matrixSize, 3) / 3.0;
    }
}
