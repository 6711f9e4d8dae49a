package dev.strata.process;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.Optional;

/**
 * The rule for a class that another JVM makes by name (a chip process makes its kernels this way): it must
 * be on the class path that JVM gets, and constructible there with no arguments — so public, top-level or
 * static nested, concrete, with a public no-arg constructor. The enclosing class of a nested one may have
 * any access: a public member class is public in its own class file, and reflection from any package
 * reaches it. Lambdas, method references, anonymous, local, inner and non-public classes do not qualify.
 */
public final class ClassByName {
    private ClassByName() {
    }

    /**
     * Why another JVM could not make an instance of {@code c} from its name, or empty when it can.
     * Conservative: a class it reports as constructible is one {@link #construct} makes.
     */
    public static Optional<String> whyNotConstructible(Class<?> c) {
        if (c.isHidden() || c.isSynthetic()) {
            return Optional.of("it is a lambda or method reference, a hidden class that exists only in this JVM");
        }
        if (c.isAnonymousClass()) {
            return Optional.of("it is an anonymous class, which has no name another JVM can load");
        }
        if (c.isLocalClass()) {
            return Optional.of("it is a local class, declared inside a method");
        }
        if (c.isMemberClass() && !Modifier.isStatic(c.getModifiers())) {
            return Optional.of("it is an inner (non-static) class, which needs an enclosing instance");
        }
        if (!Modifier.isPublic(c.getModifiers())) {
            return Optional.of("it is not public");
        }
        if (c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
            return Optional.of("it is abstract");
        }
        try {
            c.getConstructor();
        } catch (NoSuchMethodException e) {
            return Optional.of("it has no public no-arg constructor");
        }
        try {
            if (Class.forName(c.getName(), false, ClassLoader.getSystemClassLoader()) != c) {
                return Optional.of("it was loaded by a class loader of its own, not from the class path another JVM"
                        + " gets");
            }
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of("it is not on the class path another JVM gets (java.class.path)");
        }
        return Optional.empty();
    }

    /**
     * Loads {@code className} from the class path and makes an instance with its public no-arg constructor.
     *
     * @throws IllegalArgumentException naming the class and what went wrong: not found, not a {@code type},
     *                                  or its constructor failed (the constructor's exception is the cause)
     */
    public static <T> T construct(String className, Class<T> type) {
        Class<?> c;
        try {
            c = Class.forName(className, true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("cannot load class " + className + ": " + e, e);
        }
        if (!type.isAssignableFrom(c)) {
            throw new IllegalArgumentException("class " + className + " is not a " + type.getSimpleName());
        }
        try {
            return type.cast(c.getConstructor().newInstance());
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("constructor of class " + className + " threw " + e.getCause(),
                    e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("cannot construct class " + className + ": " + e, e);
        }
    }
}
