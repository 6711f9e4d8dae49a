package dev.strata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.config.InvalidSettingException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemberConfigTest {

    @Test
    void aMemberIsAClusterMemberWithItsRoleAndTheSplitBrainResolver() {
        Config c = MemberConfig.of(MemberConfig.HEAD_ROLE, ConfigFactory.load());
        assertEquals("cluster", c.getString("pekko.actor.provider"));
        assertEquals(List.of("head"), c.getStringList("pekko.cluster.roles"));
        assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
                c.getString("pekko.cluster.downing-provider-class"));
        assertEquals("keep-majority", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertTrue(c.getBoolean("pekko.cluster.jmx.multi-mbeans-in-same-jvm"));
    }

    @Test
    void strataSetsTheRoleWhateverTheUserSays() {
        Config user = ConfigFactory.parseString("pekko.cluster.roles = [head]\npekko.actor.provider = local")
                .withFallback(ConfigFactory.load());
        Config c = MemberConfig.of(MemberConfig.WORKER_ROLE, user);
        assertEquals(List.of("worker"), c.getStringList("pekko.cluster.roles"));
        assertEquals("cluster", c.getString("pekko.actor.provider"));
    }

    @Test
    void failureDetectionIsTunedForAComputeClusterUnlessTheUserChoseOtherValues() {
        Config tuned = MemberConfig.of(MemberConfig.WORKER_ROLE, ConfigFactory.load());
        assertEquals(Duration.ofMillis(500), tuned.getDuration("pekko.cluster.failure-detector.heartbeat-interval"));
        assertEquals(Duration.ofSeconds(2),
                tuned.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"));
        assertEquals(Duration.ofSeconds(5), tuned.getDuration("pekko.cluster.split-brain-resolver.stable-after"));

        Config user = ConfigFactory.parseString("pekko.cluster.split-brain-resolver.stable-after = 20 s")
                .withFallback(ConfigFactory.load());
        Config kept = MemberConfig.of(MemberConfig.WORKER_ROLE, user);
        assertEquals(Duration.ofSeconds(20), kept.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
        assertEquals(Duration.ofMillis(500), kept.getDuration("pekko.cluster.failure-detector.heartbeat-interval"));
    }

    @Test
    void seedNodesMustBeStrataAddresses() {
        assertEquals(List.of("pekko://strata@127.0.0.1:25520"), MemberConfig.seedNodes(ConfigFactory.parseString(
                "pekko.cluster.seed-nodes = [\"pekko://strata@127.0.0.1:25520\"]")));
        assertEquals(List.of(), MemberConfig.seedNodes(ConfigFactory.load()));
        assertSeedsRejected("pekko.cluster.seed-nodes = [\"pekko://other@127.0.0.1:25520\"]", "named strata");
        assertSeedsRejected("pekko.cluster.seed-nodes = [\"127.0.0.1:25520\"]", "not an address");
        assertSeedsRejected("pekko.cluster.seed-nodes = \"pekko://strata@127.0.0.1:25520\"", "must be a list");
    }

    private static void assertSeedsRejected(String hocon, String rule) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> MemberConfig.seedNodes(ConfigFactory.parseString(hocon)));
        assertEquals(MemberConfig.SEED_NODES, e.key());
        assertTrue(e.getMessage().contains(rule), e.getMessage());
    }

    // checkTransport with stores that hold the right entries is exercised by TlsClusterTest in the node module,
    // which makes real certificates with keytool; here, what must fail and what it names.

    @Test
    void plainTcpAndOtherSslEngineProvidersAreNotChecked() {
        MemberConfig.checkTransport(ConfigFactory.load());
        MemberConfig.checkTransport(tls("pekko.remote.artery.ssl.ssl-engine-provider = my.own.Provider\n"
                + "pekko.remote.artery.ssl.config-ssl-engine.key-store = /no/such/file.p12"));
    }

    @Test
    void tlsWithoutAKeyStoreFileFailsNamingTheKeyAndThePathLookedAt(@TempDir Path dir) {
        Path missing = dir.resolve("node.p12");
        InvalidSettingException e = assertTransportRejected(tls(stores(missing, dir.resolve("trust.p12"), "pw")),
                MemberConfig.TLS + ".key-store");
        assertTrue(e.getMessage().contains("no readable file at " + missing), e.getMessage());
        // Pekko's own default ("keystore" in the working directory) is what an unset key gives.
        assertTransportRejected(tls(""), MemberConfig.TLS + ".key-store");
    }

    @Test
    void aWrongStorePasswordFailsNamingThePasswordKeyWithoutShowingIt(@TempDir Path dir) throws Exception {
        Path store = emptyStore(dir.resolve("node.p12"), "right-password");
        InvalidSettingException e = assertTransportRejected(tls(stores(store, store, "wrong-password")),
                MemberConfig.TLS + ".key-store-password");
        assertTrue(e.getMessage().contains("<hidden>") && !e.getMessage().contains("wrong-password"), e.getMessage());
    }

    @Test
    void aKeyStoreWithoutAPrivateKeyFailsNamingTheKeyStore(@TempDir Path dir) throws Exception {
        Path store = emptyStore(dir.resolve("node.p12"), "pw");
        InvalidSettingException e = assertTransportRejected(tls(stores(store, store, "pw")),
                MemberConfig.TLS + ".key-store");
        assertTrue(e.getMessage().contains("no private key"), e.getMessage());
    }

    @Test
    void aFileThatIsNoStoreFailsNamingTheKey(@TempDir Path dir) throws IOException {
        Path notAStore = Files.writeString(dir.resolve("node.p12"), "not a key store");
        assertTransportRejected(tls(stores(notAStore, notAStore, "pw")), MemberConfig.TLS + ".key-store");
    }

    @Test
    void mutualAuthenticationMustStayOn() {
        InvalidSettingException e = assertTransportRejected(
                tls(MemberConfig.TLS + ".require-mutual-authentication = off"),
                MemberConfig.TLS + ".require-mutual-authentication");
        assertTrue(e.getMessage().contains("must be on"), e.getMessage());
    }

    @Test
    void anUnknownProtocolOrCipherSuiteFailsNamingTheKey() {
        assertTransportRejected(tls(MemberConfig.TLS + ".protocol = TLSv9"), MemberConfig.TLS + ".protocol");
        InvalidSettingException e = assertTransportRejected(
                tls(MemberConfig.TLS + ".enabled-algorithms = [TLS_AES_128_GCM_SHA256, TLS_NO_SUCH_SUITE]"),
                MemberConfig.TLS + ".enabled-algorithms");
        assertTrue(e.getMessage().contains("TLS_NO_SUCH_SUITE"), e.getMessage());
    }

    /** {@code hocon} with transport tls-tcp over the defaults. */
    private static Config tls(String hocon) {
        return ConfigFactory.parseString(MemberConfig.TRANSPORT + " = tls-tcp\n" + hocon)
                .withFallback(ConfigFactory.load()).resolve();
    }

    private static String stores(Path keyStore, Path trustStore, String password) {
        return MemberConfig.TLS + " { key-store = \"" + keyStore + "\", trust-store = \"" + trustStore + "\"\n"
                + "key-store-password = \"" + password + "\", key-password = \"" + password + "\","
                + " trust-store-password = \"" + password + "\" }";
    }

    /** A PKCS12 store with no entry, saved with {@code password}. */
    private static Path emptyStore(Path file, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    private static InvalidSettingException assertTransportRejected(Config config, String key) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> MemberConfig.checkTransport(config));
        assertEquals(key, e.key(), e.getMessage());
        return e;
    }
}
