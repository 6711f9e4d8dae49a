package dev.strata.node.cholesky;

import dev.strata.protocol.ChipKernel;
import java.util.function.Supplier;

/** The four chip kernels of the tiled Cholesky factorisation and the names they are registered under. */
public enum CholeskyKernel {
    POTRF(PotrfKernel.NAME, false, PotrfKernel::new),
    TRSM(TrsmKernel.NAME, true, TrsmKernel::new),
    SYRK(SyrkKernel.NAME, true, SyrkKernel::new),
    GEMM(GemmKernel.NAME, true, GemmKernel::new);

    private final String kernelName;
    private final boolean splitsRows;
    private final Supplier<ChipKernel> factory;

    CholeskyKernel(String kernelName, boolean splitsRows, Supplier<ChipKernel> factory) {
        this.kernelName = kernelName;
        this.splitsRows = splitsRows;
        this.factory = factory;
    }

    /** The registered name, stable across processes. */
    public String kernelName() {
        return kernelName;
    }

    /** Whether a call can use several blocks (each updating its own rows); POTRF always runs as one. */
    public boolean splitsRows() {
        return splitsRows;
    }

    /** A fresh kernel instance. */
    public ChipKernel newKernel() {
        return factory.get();
    }
}
