package dev.strata.process;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KernelClassesTest {

    /** Public but needs an argument. */
    public static final class NeedsArgument implements ChipKernel {
        public NeedsArgument(int x) {
        }

        @Override
        public void run(TaskContext ctx) {
        }
    }

    /** Not public. */
    static final class PackagePrivate implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
        }
    }

    /** Inner: needs an enclosing instance. */
    public final class Inner implements ChipKernel {
        @Override
        public void run(TaskContext ctx) {
        }
    }

    private static String rejection(ChipKernel k) {
        return assertThrows(IllegalArgumentException.class, () -> KernelClasses.requireLoadable("k", k)).getMessage();
    }

    @Test
    void publicStaticNestedClassIsAccepted() {
        assertDoesNotThrow(() -> KernelClasses.requireLoadable("noop", new TestKernels.Noop()));
    }

    @Test
    void publicStaticKernelNestedInAPackagePrivateClassOfAnotherPackageIsAccepted() {
        ChipKernel k = KernelClasses.instantiate("dev.strata.process.userland.UserTestClass$NestedKernel");
        assertDoesNotThrow(() -> KernelClasses.requireLoadable("nested", k));
    }

    @Test
    void lambdaIsRejectedSayingWhy() {
        String m = rejection(ctx -> { });
        assertTrue(m.contains("'k'") && m.contains("lambda") && m.contains("PROCESS mode"), m);
    }

    @Test
    void methodReferenceIsRejected() {
        assertTrue(rejection(KernelClassesTest::noop).contains("lambda"));
    }

    private static void noop(TaskContext ctx) {
    }

    @Test
    void anonymousClassIsRejected() {
        assertTrue(rejection(new ChipKernel() {
            @Override
            public void run(TaskContext ctx) {
            }
        }).contains("anonymous"));
    }

    @Test
    void localClassIsRejected() {
        final class Local implements ChipKernel {
            @Override
            public void run(TaskContext ctx) {
            }
        }
        assertTrue(rejection(new Local()).contains("local class"));
    }

    @Test
    void innerClassIsRejected() {
        assertTrue(rejection(new Inner()).contains("inner"));
    }

    @Test
    void nonPublicClassIsRejected() {
        assertTrue(rejection(new PackagePrivate()).contains("not public"));
    }

    @Test
    void classWithoutNoArgConstructorIsRejected() {
        assertTrue(rejection(new NeedsArgument(1)).contains("no-arg constructor"));
    }

    @Test
    void instantiateBuildsAFreshKernelByName() {
        assertInstanceOf(TestKernels.Noop.class, KernelClasses.instantiate(TestKernels.Noop.class.getName()));
    }

    @Test
    void instantiateNamesAMissingOrWrongClass() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KernelClasses.instantiate("no.Such"))
                .getMessage().contains("no.Such"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KernelClasses.instantiate("java.lang.String"))
                .getMessage().contains("not a ChipKernel"));
    }
}
