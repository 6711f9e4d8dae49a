package dev.strata.process;

import dev.strata.protocol.ChipKernel;
import java.util.Objects;

/**
 * Kernels in PROCESS mode: a child JVM makes its own instance of each kernel from the class name, so a
 * kernel's class must follow {@link ClassByName}'s rule (public, top-level or static nested in any enclosing
 * class, with a public no-arg constructor, on the class path the child gets). The parent checks it at
 * registration; the child constructs by it.
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
        requireLoadable(name, kernel, "in PROCESS mode", "A chip process", "");
    }

    /**
     * The same check for any place that makes kernels by class name: {@code where} it cannot run (e.g. "on a
     * worker node"), {@code maker} that creates the instance, and an {@code extra} hint appended to the advice.
     *
     * @throws IllegalArgumentException naming the kernel, its class and why it cannot run there
     */
    public static void requireLoadable(String name, ChipKernel kernel, String where, String maker, String extra) {
        Objects.requireNonNull(kernel, "chip kernel must not be null");
        ClassByName.whyNotConstructible(kernel.getClass()).ifPresent(why -> {
            throw new IllegalArgumentException("chip kernel '" + name + "' (" + kernel.getClass().getName()
                    + ") cannot run " + where + ": " + why + ". " + maker + " creates its own instance by class"
                    + " name, so register a public top-level or public static nested class with a public no-arg"
                    + " constructor" + extra);
        });
    }

    /**
     * Loads and constructs kernel {@code className} in a child JVM.
     *
     * @throws IllegalArgumentException naming the class and what went wrong
     */
    static ChipKernel instantiate(String className) {
        return ClassByName.construct(className, ChipKernel.class);
    }
}
