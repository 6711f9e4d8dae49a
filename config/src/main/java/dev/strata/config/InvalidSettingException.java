package dev.strata.config;

/** A configuration value that is missing, malformed or out of range; the message names the key. */
public class InvalidSettingException extends IllegalArgumentException {
    private final String key;

    public InvalidSettingException(String key, Object value, String rule) {
        this(key, value, rule, null);
    }

    public InvalidSettingException(String key, Object value, String rule, Throwable cause) {
        super("invalid setting " + key + " = " + value + ": " + rule, cause);
        this.key = key;
    }

    /** The offending key, e.g. {@code strata.worker.sub-workers}. */
    public String key() {
        return key;
    }
}
