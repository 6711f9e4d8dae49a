package dev.strata.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.strata.config.InvalidSettingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.UnrecoverableKeyException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;

/**
 * The Pekko configuration of a cluster member, head or worker node: what Strata always sets (the cluster actor
 * provider, the member's role, the split-brain resolver as downing provider) and the failure-detection values it
 * chooses for a compute cluster, which a user's own setting of the same key overrides. docs/cluster.md explains the
 * resulting failover time. It also checks, before a member starts, the seed-node addresses and the stores of a
 * member on Artery over TLS ({@link #checkTransport}).
 */
public final class MemberConfig {
    /** The actor system's name on every member: seed-node addresses must name it. */
    public static final String SYSTEM_NAME = "strata";
    /** Role of the JVM that builds the {@code Worker} (orchestrator, ring, scheduler). */
    public static final String HEAD_ROLE = "head";
    /** Role of a worker node (the {@code node} command). */
    public static final String WORKER_ROLE = "worker";
    /** Pekko's seed-node list: addresses {@code pekko://strata@host:port}. */
    public static final String SEED_NODES = "pekko.cluster.seed-nodes";
    /** Artery's transport: {@code tcp} (trusted networks only) or {@code tls-tcp} (docs/cluster.md, Security). */
    public static final String TRANSPORT = "pekko.remote.artery.transport";
    /** The section Pekko's own SSL engine provider reads its key and trust stores from. */
    public static final String TLS = "pekko.remote.artery.ssl.config-ssl-engine";
    static final String TLS_TCP = "tls-tcp";
    static final String SSL_ENGINE_PROVIDER = "pekko.remote.artery.ssl.ssl-engine-provider";
    static final String PEKKO_SSL_ENGINE_PROVIDER = "org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider";
    /** Shown instead of a password in an error. */
    private static final String HIDDEN = "<hidden>";

    /**
     * Tuned for a compute cluster on one network, where a lost node's tasks should move in seconds, not the ~45 s
     * of Pekko's defaults (1 s / 3 s failure detector, stable-after 20 s): a crash is seen as unreachable after
     * about 2-3 s and downed about 5 s later. Pauses shorter than the acceptable pause (a GC, a loaded core) are
     * tolerated; a longer one costs a re-dispatch, never a wrong result.
     */
    static final Map<String, Object> COMPUTE_CLUSTER_DEFAULTS = Map.of(
            "pekko.cluster.failure-detector.heartbeat-interval", "500 ms",
            "pekko.cluster.failure-detector.acceptable-heartbeat-pause", "2 s",
            "pekko.cluster.split-brain-resolver.stable-after", "5 s");

    private MemberConfig() {
    }

    /**
     * {@code config} (already holding every default) as the configuration of a member with {@code role}: Strata's
     * fixed settings over it, and {@link #COMPUTE_CLUSTER_DEFAULTS} for keys still at Pekko's reference values.
     */
    public static Config of(String role, Config config) {
        String fixed = "pekko.actor.provider = cluster\n"
                + "pekko.cluster.roles = [\"" + role + "\"]\n"
                // Without a downing provider an unreachable node stays a member for ever and nothing moves.
                + "pekko.cluster.downing-provider-class = \"org.apache.pekko.cluster.sbr.SplitBrainResolverProvider\"\n"
                // Engines are embedded: a JVM may hold several members (tests, a head beside a node); each needs
                // its own MBean name.
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n";
        Config tuned = ConfigFactory.empty();
        for (Map.Entry<String, Object> e : COMPUTE_CLUSTER_DEFAULTS.entrySet()) {
            if (isReferenceDefault(config, e.getKey())) {
                tuned = tuned.withValue(e.getKey(), ConfigFactory.parseMap(Map.of(e.getKey(), e.getValue()))
                        .getValue(e.getKey()));
            }
        }
        return ConfigFactory.parseString(fixed, com.typesafe.config.ConfigParseOptions.defaults()
                        .setOriginDescription("Strata cluster member (" + role + ")"))
                .withFallback(tuned).withFallback(config);
    }

    /** Whether {@code key} is unset or still the value of a {@code reference.conf} (nobody chose it). */
    static boolean isReferenceDefault(Config config, String key) {
        if (!config.hasPath(key)) {
            return true;
        }
        ConfigValue v = config.getValue(key);
        return "reference.conf".equals(v.origin().resource());
    }

    /**
     * The seed nodes of {@code config}, each checked to be an address {@code pekko://strata@host:port}; an
     * invalid one throws {@link InvalidSettingException} naming {@link #SEED_NODES}.
     */
    public static List<String> seedNodes(Config config) {
        List<String> seeds;
        try {
            seeds = config.hasPath(SEED_NODES) ? config.getStringList(SEED_NODES) : List.of();
        } catch (ConfigException e) {
            throw new InvalidSettingException(SEED_NODES, unwrapped(config), "must be a list of addresses such as"
                    + " \"pekko://" + SYSTEM_NAME + "@127.0.0.1:25520\"", e);
        }
        List<String> checked = new ArrayList<>();
        for (String s : seeds) {
            Address a;
            try {
                a = AddressFromURIString.parse(s);
            } catch (Exception e) {
                throw new InvalidSettingException(SEED_NODES, s, "not an address such as \"pekko://" + SYSTEM_NAME
                        + "@127.0.0.1:25520\"", e);
            }
            if (!SYSTEM_NAME.equals(a.system()) || a.host().isEmpty() || a.port().isEmpty()) {
                throw new InvalidSettingException(SEED_NODES, s, "must be an address pekko://" + SYSTEM_NAME
                        + "@host:port (the actor system is named " + SYSTEM_NAME + " on every member)");
            }
            checked.add(s);
        }
        return List.copyOf(checked);
    }

    /**
     * Checks a member's TLS settings when {@link #TRANSPORT} is {@code tls-tcp} with Pekko's own SSL engine
     * provider; other transports and providers pass unchecked. Pekko itself opens the stores only at the first
     * connection, so without this a missing store or a wrong password would show as handshake errors logged over
     * and over while the member never joins; here it fails at once with {@link InvalidSettingException} naming the
     * key (a password's value is never shown). Mutual authentication must stay on: without it a worker node would
     * serve any member that can reach its port.
     */
    public static void checkTransport(Config config) {
        if (!config.hasPath(TRANSPORT) || !TLS_TCP.equals(config.getString(TRANSPORT))
                || !PEKKO_SSL_ENGINE_PROVIDER.equals(config.getString(SSL_ENGINE_PROVIDER))) {
            return;
        }
        Config tls = config.getConfig(TLS);
        if (!tls.getBoolean("require-mutual-authentication")) {
            throw new InvalidSettingException(TLS + ".require-mutual-authentication", "off", "must be on with "
                    + TRANSPORT + " = " + TLS_TCP + ": without it a member accepts connections from anyone who can"
                    + " reach its port, so a worker node would run tasks for a head it does not trust");
        }
        String protocol = tls.getString("protocol");
        SSLContext context;
        try {
            context = SSLContext.getInstance(protocol);
            context.init(null, null, null);
        } catch (NoSuchAlgorithmException e) {
            throw new InvalidSettingException(TLS + ".protocol", protocol, "not a TLS protocol of this JVM;"
                    + " use TLSv1.3 (or TLSv1.2)", e);
        } catch (GeneralSecurityException e) {
            throw new InvalidSettingException(TLS + ".protocol", protocol, "unusable: " + e.getMessage(), e);
        }
        Set<String> supported = Set.copyOf(Arrays.asList(context.getSupportedSSLParameters().getCipherSuites()));
        for (String suite : tls.getStringList("enabled-algorithms")) {
            if (!supported.contains(suite)) {
                throw new InvalidSettingException(TLS + ".enabled-algorithms", tls.getStringList(
                        "enabled-algorithms"), suite + " is not a cipher suite of this JVM for " + protocol
                        + " (TLSv1.3: TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256)");
            }
        }
        KeyStore keys = store(tls, "key-store", "key-store-password");
        if (!holds(keys, true)) {
            throw new InvalidSettingException(TLS + ".key-store", tls.getString("key-store"), "holds no private key"
                    + " entry: it must hold this member's key and its certificate signed by the cluster's CA");
        }
        try {
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm())
                    .init(keys, tls.getString("key-password").toCharArray());
        } catch (UnrecoverableKeyException e) {
            throw new InvalidSettingException(TLS + ".key-password", HIDDEN, "does not open the private key in "
                    + tls.getString("key-store") + " (in a PKCS12 store it is the store's password)", e);
        } catch (GeneralSecurityException e) {
            throw new InvalidSettingException(TLS + ".key-store", tls.getString("key-store"), "unusable as a key"
                    + " store: " + e.getMessage(), e);
        }
        KeyStore trust = store(tls, "trust-store", "trust-store-password");
        if (!holds(trust, false)) {
            throw new InvalidSettingException(TLS + ".trust-store", tls.getString("trust-store"), "holds no"
                    + " trusted certificate: it must hold the certificate of the CA that signed the members' keys");
        }
    }

    /** The store at {@code TLS.<fileKey>} opened with {@code TLS.<passwordKey>}, as Pekko opens it. */
    private static KeyStore store(Config tls, String fileKey, String passwordKey) {
        String file = tls.getString(fileKey);
        Path path = Path.of(file).toAbsolutePath();
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new InvalidSettingException(TLS + "." + fileKey, file, "no readable file at " + path + " (a"
                    + " relative path is taken from the working directory); with " + TRANSPORT + " = " + TLS_TCP
                    + " every member needs a key store and a trust store (docs/cluster.md, Security)");
        }
        try (InputStream in = Files.newInputStream(path)) {
            // The type Pekko's ConfigSSLEngineProvider uses: PKCS12 on Java 17 (which reads JKS files too).
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(in, tls.getString(passwordKey).toCharArray());
            return store;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new InvalidSettingException(TLS + "." + passwordKey, HIDDEN, "does not open " + path, e);
            }
            throw new InvalidSettingException(TLS + "." + fileKey, file, "cannot be read as a PKCS12 or JKS"
                    + " store: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new InvalidSettingException(TLS + "." + fileKey, file, "cannot be read as a PKCS12 or JKS"
                    + " store: " + e.getMessage(), e);
        }
    }

    /** Whether {@code store} holds a private key entry ({@code key}) or a trusted certificate entry (not). */
    private static boolean holds(KeyStore store, boolean key) {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (key ? store.isKeyEntry(alias) : store.isCertificateEntry(alias)) {
                    return true;
                }
            }
            return false;
        } catch (KeyStoreException e) {
            throw new IllegalStateException("a loaded key store refused to list its entries", e);
        }
    }

    private static Object unwrapped(Config config) {
        try {
            return config.getValue(SEED_NODES).unwrapped();
        } catch (ConfigException e) {
            return "<unreadable>";
        }
    }
}
