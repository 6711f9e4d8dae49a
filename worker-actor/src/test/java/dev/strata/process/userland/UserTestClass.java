package dev.strata.process.userland;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;

/**
 * Kernels nested the way a user writes them: in a package-private test class (as JUnit 5 recommends) of a
 * package other than {@code dev.strata.process}, so that making them by name crosses a package boundary as
 * it does in a child JVM. Tests name them by string: this class cannot be referenced from outside.
 */
class UserTestClass {
    /** Public static nested in a package-private class: a child can make it. */
    public static final class NestedKernel implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
        }
    }

    /** Public static nested two levels down, inside a private class: a child can make it too. */
    private static final class PrivateHolder {
        public static final class DeepKernel implements ChipKernel {
            @Override
            public void run(TaskContext ctx) {
            }
        }
    }

    /** Package-private: reflection from another package cannot construct it. */
    static final class PackagePrivateKernel implements ChipKernel {
        public PackagePrivateKernel() {
        }

        @Override
        public void run(TaskContext ctx) {
        }
    }

    /** Public, but its only constructor takes an argument. */
    public static final class NeedsArgument implements ChipKernel {
        public NeedsArgument(int x) {
        }

        @Override
        public void run(TaskContext ctx) {
        }
    }

    /** Inner: its constructor needs an enclosing instance. */
    public final class InnerKernel implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
        }
    }

    /** Abstract: nothing to construct. */
    public abstract static class AbstractKernel implements ChipKernel {
        public AbstractKernel() {
        }
    }
}
