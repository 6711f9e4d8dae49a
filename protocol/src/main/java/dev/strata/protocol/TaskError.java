package dev.strata.protocol;

import java.util.List;

/**
 * A task's failure as a serializable value: the exception's class, message and stack, so it can cross a
 * process or node boundary and still give the user a readable cause.
 */
public record TaskError(String exceptionClass, String message, List<String> stack) implements CborSerializable {
    private static final int MAX_FRAMES = 64;

    public TaskError {
        stack = stack == null ? List.of() : List.copyOf(stack);
    }

    /** Captures a throwable (its cause chain is folded into the message). */
    public static TaskError of(Throwable t) {
        StringBuilder msg = new StringBuilder(String.valueOf(t.getMessage()));
        for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
            msg.append(" <- caused by ").append(c.getClass().getName()).append(": ").append(c.getMessage());
            if (c.getCause() == c) {
                break;
            }
        }
        StackTraceElement[] frames = t.getStackTrace();
        String[] lines = new String[Math.min(frames.length, MAX_FRAMES)];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = frames[i].getClassName() + "|" + frames[i].getMethodName() + "|"
                    + frames[i].getFileName() + "|" + frames[i].getLineNumber();
        }
        return new TaskError(t.getClass().getName(), msg.toString(), List.of(lines));
    }

    /** An exception carrying the original class name, message and stack trace. */
    public RemoteTaskException toException() {
        RemoteTaskException e = new RemoteTaskException(exceptionClass + ": " + message, exceptionClass);
        StackTraceElement[] frames = new StackTraceElement[stack.size()];
        for (int i = 0; i < frames.length; i++) {
            String[] p = stack.get(i).split("\\|", -1);
            int line = p.length > 3 ? parseIntOr(p[3], -1) : -1;
            frames[i] = new StackTraceElement(p[0], p.length > 1 ? p[1] : "?",
                    p.length > 2 && !"null".equals(p[2]) ? p[2] : null, line);
        }
        e.setStackTrace(frames);
        return e;
    }

    private static int parseIntOr(String s, int dflt) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** The exception a task threw, rebuilt from a {@link TaskError}; {@link #exceptionClass()} names the original. */
    public static final class RemoteTaskException extends RuntimeException {
        private final String exceptionClass;

        RemoteTaskException(String message, String exceptionClass) {
            super(message);
            this.exceptionClass = exceptionClass;
        }

        /** Fully qualified class name of the exception the task threw. */
        public String exceptionClass() {
            return exceptionClass;
        }
    }
}
