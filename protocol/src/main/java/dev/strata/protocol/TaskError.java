package dev.strata.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A task's failure as a serializable value: the exception's class, message and stack, so it can cross a
 * process or node boundary and still give the user a readable cause.
 *
 * @param exceptionClass fully qualified class name of the exception the task threw
 * @param message        its message with the cause chain folded in; null when it had no message and no cause
 * @param stack          its top stack frames, each {@code class|method|file|line} (file {@code null} when
 *                       unknown): the one frame format, written by {@link #of} and read by
 *                       {@link #stackTrace()}
 */
public record TaskError(String exceptionClass, String message, List<String> stack) implements CborSerializable {
    private static final int MAX_FRAMES = 64;
    // Bounds the cause walk: a cause chain may contain a cycle that does not pass through the top exception.
    private static final int MAX_CAUSES = 16;
    private static final String FIELD = "|";
    private static final Pattern FIELDS = Pattern.compile(Pattern.quote(FIELD));
    private static final char NUL = '\0';
    private static final String FRAME_SEPARATOR = "\n";

    /**
     * Copies the stack; a null stack becomes empty.
     *
     * @throws NullPointerException if {@code exceptionClass} or a stack frame is null
     */
    public TaskError {
        Objects.requireNonNull(exceptionClass, "exceptionClass must not be null");
        stack = stack == null ? List.of() : List.copyOf(stack);
    }

    /**
     * Captures a throwable: its class (the original class for a {@link RemoteTaskException}, so a failure
     * relayed through several levels keeps its name), its message with the cause chain folded in, and its
     * top 64 stack frames.
     */
    public static TaskError of(Throwable t) {
        String message = t.getMessage();
        Throwable c = t.getCause();
        if (c != null) {
            StringBuilder msg = new StringBuilder(String.valueOf(message));
            for (int depth = 0; c != null && c != t && depth < MAX_CAUSES; depth++, c = c.getCause()) {
                msg.append(" <- caused by ").append(className(c)).append(": ").append(c.getMessage());
            }
            message = msg.toString();
        }
        StackTraceElement[] frames = t.getStackTrace();
        String[] lines = new String[Math.min(frames.length, MAX_FRAMES)];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = frames[i].getClassName() + FIELD + frames[i].getMethodName() + FIELD
                    + frames[i].getFileName() + FIELD + frames[i].getLineNumber();
        }
        return new TaskError(className(t), message, List.of(lines));
    }

    /**
     * The error as text, {@code class NUL message NUL frame \n frame ...} with at most
     * {@code maxFrames} frames, for channels that carry text rather than objects (a chip process's mailbox).
     * A null message is written as empty; a NUL inside the class or message becomes a space.
     * {@link #fromText} reads it back.
     */
    public String toText(int maxFrames) {
        List<String> frames = stack.subList(0, Math.max(0, Math.min(maxFrames, stack.size())));
        return exceptionClass.replace(NUL, ' ') + NUL + (message == null ? "" : message.replace(NUL, ' ')) + NUL
                + String.join(FRAME_SEPARATOR, frames);
    }

    /**
     * Reads {@link #toText} back, leniently: the text may have been cut short (a bounded channel marks the
     * cut at its end), so a missing message is null, a missing stack is empty, and a cut frame is kept as far
     * as it goes.
     */
    public static TaskError fromText(String text) {
        String[] parts = text.split(String.valueOf(NUL), 3);
        String message = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : null;
        List<String> frames = new ArrayList<>();
        if (parts.length > 2) {
            for (String frame : parts[2].split(FRAME_SEPARATOR)) {
                if (!frame.isEmpty()) {
                    frames.add(frame);
                }
            }
        }
        return new TaskError(parts[0], message, frames);
    }

    /** The stack as stack trace elements; a malformed frame keeps what it has (method "?", line -1). */
    public StackTraceElement[] stackTrace() {
        StackTraceElement[] frames = new StackTraceElement[stack.size()];
        for (int i = 0; i < frames.length; i++) {
            String[] p = FIELDS.split(stack.get(i), -1);
            int line = p.length > 3 ? parseIntOr(p[3], -1) : -1;
            frames[i] = new StackTraceElement(p[0], p.length > 1 ? p[1] : "?",
                    p.length > 2 && !"null".equals(p[2]) ? p[2] : null, line);
        }
        return frames;
    }

    private static String className(Throwable t) {
        return t instanceof RemoteTaskException r ? r.exceptionClass() : t.getClass().getName();
    }

    /**
     * An exception carrying the original class name, message and stack trace; its {@code toString()} (and so
     * its printed stack trace) reads like the original's.
     */
    public RemoteTaskException toException() {
        RemoteTaskException e = new RemoteTaskException(message, exceptionClass);
        e.setStackTrace(stackTrace());
        return e;
    }

    private static int parseIntOr(String s, int dflt) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /**
     * The exception a task threw, rebuilt from a {@link TaskError}: {@link #getMessage()} is the original
     * message, {@link #exceptionClass()} names the original class, and {@link #toString()} reads
     * {@code originalClass: message} like the original's.
     */
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

        /** {@code originalClass: message}, or just the class when there is no message. */
        @Override
        public String toString() {
            String msg = getLocalizedMessage();
            return msg == null ? exceptionClass : exceptionClass + ": " + msg;
        }
    }
}
