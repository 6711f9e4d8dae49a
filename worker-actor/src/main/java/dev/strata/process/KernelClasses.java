package dev.strata.process;

import dev.strata.protocol.ChipKernel;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.Objects;

/**
 * Kernels in PROCESS mode: a child JVM makes its own instance of each kernel from the class name, so a
 * kernel must be a class the child can load and construct — public, top-level or static nested, with a
 * public no-arg constructor, on the class path the child gets. Lambdas, anonymous, local, inner and
 * non-public classes are rejected at registration, with the reason.
 */
public final class KernelClasses {
    private KernelClasses() {
    }

    /**
     * Checks that a child JVM can instantiate {@code kernel}'s class by name.
     *
     * @throws IllegalArgumentException naming the kernel, its class and why it cannot run in a child
     */
    public static void requireLoadable(String name, ChipKernel kernel) {
        Objects.requireNonNull(kernel, "chip kernel must not be null");
        String why = whyNotLoadable(kernel.getClass());
        if (why != null) {
            throw new IllegalArgumentException("chip kernel '" + name + "' (" + kernel.getClass().getName()
                    + ") cannot run in PROCESS mode: " + why + ". A chip process creates its own instance by class"
                    + " name, so register a public top-level or public static nested class with a public no-arg"
                    + " constructor");
        }
    }

    /** Why a child JVM could not create an instance of {@code c} by name, or null when it can. */
    static String whyNotLoadable(Class<?> c) {
        if (c.isHidden() || c.isSynthetic()) {
            return "it is a lambda or method reference, a hidden class that exists only in this JVM";
        }
        if (c.isAnonymousClass()) {
            return "it is an anonymous class, which has no name another JVM can load";
        }
        if (c.isLocalClass()) {
            return "it is a local class, declared inside a method";
        }
        if (c.isMemberClass() && !Modifier.isStatic(c.getModifiers())) {
            return "it is an inner (non-static) class, which needs an enclosing instance";
        }
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return k == c ? "it is not public" : "its enclosing class " + k.getName() + " is not public";
            }
        }
        if (Modifier.isAbstract(c.getModifiers())) {
            return "it is abstract";
        }
        try {
            c.getConstructor();
        } catch (NoSuchMethodException e) {
            return "it has no public no-arg constructor";
        }
        try {
            if (Class.forName(c.getName(), false, ClassLoader.getSystemClassLoader()) != c) {
                return "it was loaded by a class loader of its own, not from the class path a child JVM gets";
            }
        } catch (ClassNotFoundException | LinkageError e) {
            return "it is not on the class path a child JVM gets (java.class.path)";
        }
        return null;
    }

    /**
     * Loads and constructs kernel {@code className} in a child JVM.
     *
     * @throws IllegalArgumentException naming the class and what went wrong
     */
    static ChipKernel instantiate(String className) {
        Class<?> c;
        try {
            c = Class.forName(className, true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("cannot load kernel class " + className + ": " + e, e);
        }
        if (!ChipKernel.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException("class " + className + " is not a ChipKernel");
        }
        try {
            Constructor<?> ctor = c.getConstructor();
            return (ChipKernel) ctor.newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("constructor of kernel class " + className + " threw "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("cannot construct kernel class " + className + ": " + e, e);
        }
    }
}
