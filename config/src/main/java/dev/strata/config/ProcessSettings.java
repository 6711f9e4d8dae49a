package dev.strata.config;

import static dev.strata.config.ConfigReads.require;
import static dev.strata.config.ConfigReads.requirePositive;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;

/**
 * Typed view of {@code strata.worker.process}: how PROCESS-mode chip workers start, are watched and are
 * reached. Every value is validated; an invalid one fails with {@link InvalidSettingException} naming the key.
 *
 * @param java              Java launcher for the child JVMs; empty = the launcher of this JVM
 * @param jvmOptions        extra options put before the main class of every child JVM
 * @param startTimeout      how long starting a child may take until its ready handshake
 * @param taskTimeout       how long one task may run in a child before the child is killed
 * @param heartbeatInterval how often a child bumps its heartbeat word (and checks that its parent lives)
 * @param heartbeatTimeout  how long a running child's heartbeat may stand still before it counts as hung
 * @param mailboxSize       bytes of each child's mailbox (header, args blob, bounded error text)
 */
public record ProcessSettings(String java, List<String> jvmOptions, Duration startTimeout, Duration taskTimeout,
                              Duration heartbeatInterval, Duration heartbeatTimeout, int mailboxSize) {

    /** Prefix of every key read here. */
    public static final String PATH = "strata.worker.process";
    /** Smallest mailbox: the 64-byte header, the 4 KiB error text and room for a few tensors. */
    public static final int MIN_MAILBOX_SIZE = 8 * 1024;
    /** Largest mailbox: one int-indexed mapping. */
    public static final int MAX_MAILBOX_SIZE = 1 << 30;

    public ProcessSettings {
        require(java != null, key("java"), java, "must be a path or empty");
        require(jvmOptions != null, key("jvm-options"), jvmOptions, "must be a list of strings");
        jvmOptions = List.copyOf(jvmOptions);
        for (String option : jvmOptions) {
            require(!option.isBlank(), key("jvm-options"), jvmOptions, "must not contain blank options");
        }
        requirePositive(startTimeout, key("start-timeout"));
        requirePositive(taskTimeout, key("task-timeout"));
        requirePositive(heartbeatInterval, key("heartbeat-interval"));
        requirePositive(heartbeatTimeout, key("heartbeat-timeout"));
        require(heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(2)) >= 0, key("heartbeat-timeout"),
                heartbeatTimeout, "must be at least twice heartbeat-interval (" + heartbeatInterval + ")");
        require(mailboxSize >= MIN_MAILBOX_SIZE && mailboxSize <= MAX_MAILBOX_SIZE, key("mailbox-size"), mailboxSize,
                "must be between " + MIN_MAILBOX_SIZE + " bytes and 1 GiB");
    }

    /** The defaults of {@code reference.conf}. */
    public static ProcessSettings defaults() {
        return fromConfig(ConfigFactory.defaultReference());
    }

    /** Reads {@code strata.worker.process} from an already resolved config that has every key. */
    static ProcessSettings fromConfig(Config c) {
        return new ProcessSettings(
                ConfigReads.string(c, key("java")),
                ConfigReads.strings(c, key("jvm-options"), "[\"-Xmx512m\"]"),
                ConfigReads.duration(c, key("start-timeout"), "3 s"),
                ConfigReads.duration(c, key("task-timeout"), "3 s"),
                ConfigReads.duration(c, key("heartbeat-interval"), "3 s"),
                ConfigReads.duration(c, key("heartbeat-timeout"), "3 s"),
                mailboxBytes(c, key("mailbox-size")));
    }

    public ProcessSettings withJava(String v) {
        return new ProcessSettings(v, jvmOptions, startTimeout, taskTimeout, heartbeatInterval, heartbeatTimeout,
                mailboxSize);
    }

    public ProcessSettings withJvmOptions(List<String> v) {
        return new ProcessSettings(java, v, startTimeout, taskTimeout, heartbeatInterval, heartbeatTimeout,
                mailboxSize);
    }

    public ProcessSettings withStartTimeout(Duration v) {
        return new ProcessSettings(java, jvmOptions, v, taskTimeout, heartbeatInterval, heartbeatTimeout,
                mailboxSize);
    }

    public ProcessSettings withTaskTimeout(Duration v) {
        return new ProcessSettings(java, jvmOptions, startTimeout, v, heartbeatInterval, heartbeatTimeout,
                mailboxSize);
    }

    /** Both heartbeat settings at once, since each is validated against the other. */
    public ProcessSettings withHeartbeat(Duration interval, Duration timeout) {
        return new ProcessSettings(java, jvmOptions, startTimeout, taskTimeout, interval, timeout, mailboxSize);
    }

    public ProcessSettings withMailboxSize(int v) {
        return new ProcessSettings(java, jvmOptions, startTimeout, taskTimeout, heartbeatInterval, heartbeatTimeout,
                v);
    }

    private static String key(String name) {
        return PATH + "." + name;
    }

    private static int mailboxBytes(Config c, String key) {
        long v;
        try {
            v = c.getBytes(key);
        } catch (ConfigException e) {
            throw new InvalidSettingException(key, ConfigReads.valueOf(c, key), "must be a size such as 1 MiB", e);
        }
        if (v < MIN_MAILBOX_SIZE || v > MAX_MAILBOX_SIZE) {
            throw new InvalidSettingException(key, v, "must be between " + MIN_MAILBOX_SIZE + " bytes and 1 GiB");
        }
        return (int) v;
    }
}
