package dev.strata.protocol;

/**
 * Launch configuration of a chip call (the seed's {@code ChipCallConfig}).
 *
 * @param blockDim        number of blocks of a chip kernel; they may run in parallel on the chip's threads
 * @param aicpuThreadNum  scheduler threads the simulated chip reserves (informational in simulation)
 * @param enableProfiling whether the kernel should record profiling data
 */
public record CallConfig(int blockDim, int aicpuThreadNum, boolean enableProfiling) {
    public static final CallConfig DEFAULT = new CallConfig(1, 3, false);

    public CallConfig {
        if (blockDim < 1) {
            throw new IllegalArgumentException("CallConfig.blockDim must be >= 1, got " + blockDim);
        }
        if (aicpuThreadNum < 0) {
            throw new IllegalArgumentException("CallConfig.aicpuThreadNum must be >= 0, got " + aicpuThreadNum);
        }
    }
}
