package dev.strata.worker;

/** What a task fails with when an {@link InjectedFault} says so: its callable did not run. */
public final class InjectedFaultException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InjectedFaultException(String message) {
        super("injected fault: " + message);
    }
}
