package dev.strata.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.protocol.ChipKernel;
import dev.strata.protocol.TaskContext;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rule for classes another JVM makes by name, checked against what reflection really does: from this
 * package, {@code Class.forName} plus {@code getConstructor().newInstance()} on classes of another package,
 * exactly as a child JVM makes a user's kernel.
 */
@Timeout(10)
class ClassByNameTest {
    private static final String USER = "dev.strata.process.userland.UserTestClass$";
    private static final String NESTED = USER + "NestedKernel";
    private static final String DEEP = USER + "PrivateHolder$DeepKernel";

    /** Public, but its constructor throws. */
    public static final class ThrowingConstructor implements ChipKernel {
        public ThrowingConstructor() {
            throw new IllegalStateException("no instance today");
        }

        @Override
        public void run(TaskContext ctx) {
        }
    }

    private static Class<?> load(String name) throws ClassNotFoundException {
        return Class.forName(name, false, ClassLoader.getSystemClassLoader());
    }

    private static String why(Class<?> c) {
        return ClassByName.whyNotConstructible(c).orElseThrow(() -> new AssertionError(c + " was accepted"));
    }

    /** What a child JVM does with a kernel's name, done by hand: true if an instance comes out. */
    private static boolean reflectionConstructs(String name) throws ClassNotFoundException {
        try {
            Object o = Class.forName(name, true, ClassLoader.getSystemClassLoader()).getConstructor().newInstance();
            return o != null;
        } catch (NoSuchMethodException | IllegalAccessException | InstantiationException
                 | InvocationTargetException e) {
            return false;
        }
    }

    @Test
    void publicStaticNestedClassesOfAPackagePrivateClassAreConstructedByName() throws Exception {
        for (String name : List.of(NESTED, DEEP)) {
            assertTrue(reflectionConstructs(name), name + " cannot be made by reflection");
            assertEquals(java.util.Optional.empty(), ClassByName.whyNotConstructible(load(name)), name);
            ChipKernel k = ClassByName.construct(name, ChipKernel.class);
            assertEquals(name, k.getClass().getName());
        }
    }

    @Test
    void theRuleAgreesWithReflectionFromAnotherPackage() throws Exception {
        for (String simple : List.of("NestedKernel", "PrivateHolder$DeepKernel", "PackagePrivateKernel",
                "NeedsArgument", "InnerKernel", "AbstractKernel")) {
            String name = USER + simple;
            assertEquals(reflectionConstructs(name), ClassByName.whyNotConstructible(load(name)).isEmpty(), name);
        }
    }

    @Test
    void eachRejectionSaysWhy() throws Exception {
        assertTrue(why(load(USER + "PackagePrivateKernel")).contains("not public"));
        assertTrue(why(load(USER + "NeedsArgument")).contains("no public no-arg constructor"));
        assertTrue(why(load(USER + "InnerKernel")).contains("inner (non-static)"));
        assertTrue(why(load(USER + "AbstractKernel")).contains("abstract"));
        assertTrue(why(ChipKernel.class).contains("abstract"));
        Supplier<String> lambda = () -> "x";
        assertTrue(why(lambda.getClass()).contains("lambda"));
        assertTrue(why(new Object() { }.getClass()).contains("anonymous"));
        final class Local {
        }
        assertTrue(why(Local.class).contains("local class"));
    }

    @Test
    void aClassFromAnotherClassLoaderIsRejected() throws Exception {
        URL tests = TestKernels.class.getProtectionDomain().getCodeSource().getLocation();
        URL protocol = ChipKernel.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader own = new URLClassLoader(new URL[] {tests, protocol},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> twin = own.loadClass(TestKernels.Noop.class.getName());
            assertTrue(twin != TestKernels.Noop.class);
            assertTrue(why(twin).contains("class loader of its own"));
        }
    }

    @Test
    void constructNamesAMissingClassAWrongTypeAndAFailingConstructor() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClassByName.construct("no.Such", Runnable.class))
                .getMessage().contains("cannot load class no.Such"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ClassByName.construct("java.lang.String", Runnable.class))
                .getMessage().contains("is not a Runnable"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassByName.construct(ThrowingConstructor.class.getName(), ChipKernel.class));
        assertTrue(e.getMessage().contains("constructor of class") && e.getMessage().contains("no instance today"),
                e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }
}
