package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.strata.cluster.ClusterJoinException;
import dev.strata.cluster.MemberConfig;
import dev.strata.workernode.WorkerNode;
import dev.strata.config.InvalidSettingException;
import dev.strata.protocol.CallConfig;
import dev.strata.protocol.ContinuousTensor;
import dev.strata.protocol.DataType;
import dev.strata.protocol.TaskArgs;
import dev.strata.protocol.TensorArgType;
import dev.strata.scheduler.Task;
import dev.strata.scheduler.Worker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artery over TLS with mutual authentication, all members in this JVM on 127.0.0.1, every message serialized: a
 * worker node with a certificate of the cluster's CA (configured by the shipped config/cluster/tls.conf) serves a
 * head whose certificate that CA signed, and lets no other member join: not one with a certificate of another CA,
 * not one without TLS. Certificates are made with keytool when the class starts (ClusterCertificates).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TlsClusterTest {
    private static final Path SHIPPED_TLS = Path.of(System.getProperty("user.dir"))
            .resolve("../config/cluster/tls.conf").normalize();
    /** Deadline of anything that should take seconds, with margin for a loaded 2-core machine. */
    private static final long BOUND_S = 90;
    /** How long an untrusted head tries to join: it never can, so a short wait proves as much as a long one. */
    private static final String ROGUE_JOIN_TIMEOUT = "5 s";

    @TempDir
    static Path dir;
    private Path trustStore;
    private Path headKeys;
    private Path rogueKeys;
    private WorkerNode node;
    private int nodePort;

    @BeforeAll
    void makeCertificatesAndStartATrustedNode() throws Exception {
        ClusterCertificates certificates = new ClusterCertificates(dir);
        certificates.authority("cluster-ca");
        certificates.authority("rogue-ca");
        trustStore = certificates.trustStore("truststore", "cluster-ca");
        Path nodeKeys = certificates.member("node", "cluster-ca");
        headKeys = certificates.member("head", "cluster-ca");
        rogueKeys = certificates.member("rogue", "rogue-ca");
        // The node is its own seed: the cluster exists before any head tries to join it.
        nodePort = LoopbackCluster.freePort();
        node = WorkerNode.start(ConfigFactory.parseString(LoopbackCluster.member(nodePort, List.of(nodePort)))
                .withFallback(shippedTls(nodeKeys)).withFallback(ConfigFactory.load()).resolve());
        node.whenUp().toCompletableFuture().get(BOUND_S, TimeUnit.SECONDS);
    }

    @AfterAll
    void stopTheNode() {
        if (node != null) {
            node.close();
        }
    }

    /**
     * config/cluster/tls.conf as shipped, its variables given as the environment gives them to a member; the
     * test checks that the file configures a working member.
     */
    private Config shippedTls(Path keyStore) {
        return ConfigFactory.parseFile(SHIPPED_TLS.toFile()).withFallback(ConfigFactory.parseMap(Map.of(
                "STRATA_TLS_KEY_STORE", keyStore.toString(),
                "STRATA_TLS_TRUST_STORE", trustStore.toString(),
                "STRATA_TLS_PASSWORD", ClusterCertificates.PASSWORD)));
    }

    /** The HOCON of docs/cluster.md ("Security") with the stores' paths and password written out. */
    private static String tls(Path keyStore, Path trustStore) {
        String password = "\"" + ClusterCertificates.PASSWORD + "\"";
        return "pekko.remote.artery.transport = tls-tcp\n"
                + "pekko.remote.artery.ssl.config-ssl-engine {\n"
                + "  key-store = \"" + keyStore + "\"\n"
                + "  key-store-password = " + password + "\n"
                + "  key-password = " + password + "\n"
                + "  trust-store = \"" + trustStore + "\"\n"
                + "  trust-store-password = " + password + "\n"
                + "  protocol = \"TLSv1.3\"\n"
                + "  enabled-algorithms = [\"TLS_AES_256_GCM_SHA384\", \"TLS_AES_128_GCM_SHA256\"]\n"
                + "  require-mutual-authentication = on\n"
                + "}\n";
    }

    /** A cluster head on a free port whose seed is the node, with one chip worker and {@code transport}. */
    private Worker head(String transport, String joinTimeout) {
        return Worker.fromConfig(ConfigFactory.parseString(LoopbackCluster.member(LoopbackCluster.freePort(),
                List.of(nodePort)) + transport
                + "strata.cluster { enabled = true, min-worker-nodes = 1, join-timeout = " + joinTimeout + " }\n"
                + "strata.worker { chip-workers = 1, sub-workers = 1, arena-size = 16 MiB, heap-ring-size = 16 MiB }\n"));
    }

    @Test
    void aHeadWithACertificateOfTheClusterCaRunsAChipTaskOnTheNode() {
        long before = node.tasksRun();
        try (Worker head = head(tls(headKeys, trustStore), "60 s")) {
            long fill = head.registerChipCallable("fill", new ChipEntitiesClusterTest.Fill());
            head.init();
            ContinuousTensor t = head.memory().allocate(DataType.FLOAT32, 4);
            head.run(Task.of((orch, args, cfg) -> orch.submitNextLevel(fill,
                    new TaskArgs().addTensor(t, TensorArgType.OUTPUT_EXISTING).addScalar(7), CallConfig.DEFAULT)));
            assertArrayEquals(new float[] {7, 7, 7, 7}, head.memory().readFloats(t));
            assertEquals(Map.of(hostPort(node), 1L), head.lastRun().tasksByNode());
        }
        assertEquals(1, node.tasksRun() - before, "the node ran the head's task");
    }

    @Test
    void aHeadWithACertificateOfAnotherCaCannotJoinAndTheNodeRunsNothingForIt() throws Exception {
        // The rogue trusts the cluster's CA (a CA certificate is no secret), so it accepts the node's certificate:
        // what stops it is the node checking the rogue's certificate, the mutual part of the authentication.
        assertCannotJoin(tls(rogueKeys, trustStore));
    }

    @Test
    void aHeadWithoutTlsCannotJoinAndTheNodeRunsNothingForIt() throws Exception {
        assertCannotJoin("pekko.remote.artery.transport = tcp\n");
    }

    /**
     * A head with {@code transport} tries to join the node: its init() fails with the join-timeout error (no
     * worker node seen, itself never Up), and the node runs no task meanwhile.
     */
    private void assertCannotJoin(String transport) throws Exception {
        long before = node.tasksRun();
        try (Worker rogue = head(transport, ROGUE_JOIN_TIMEOUT)) {
            long fill = rogue.registerChipCallable("fill", new ChipEntitiesClusterTest.Fill());
            CompletableFuture<Void> init = CompletableFuture.runAsync(rogue::init);
            ExecutionException e = assertThrows(ExecutionException.class, () -> init.get(BOUND_S, TimeUnit.SECONDS));
            ClusterJoinException failure = assertInstanceOf(ClusterJoinException.class, e.getCause());
            String m = failure.getMessage();
            assertTrue(m.contains("0 of 1 worker node(s) needed up after " + ROGUE_JOIN_TIMEOUT), m);
            assertTrue(m.contains("seed nodes tried: " + LoopbackCluster.address(nodePort)), m);
            assertTrue(m.contains("itself never became an Up member"), m);
            IllegalStateException notStarted = assertThrows(IllegalStateException.class, () -> rogue.run(Task.of(
                    (orch, args, cfg) -> orch.submitNextLevel(fill, new TaskArgs(), CallConfig.DEFAULT))));
            assertTrue(notStarted.getMessage().contains("init()"), notStarted.getMessage());
        }
        assertEquals(before, node.tasksRun(), "the node ran no task for a member it does not trust");
    }

    @Test
    void aMemberWhoseKeyStoreHoldsNoKeyIsRefusedAtStartNamingTheKey() {
        // The trust store given as key store: a slip that Pekko would report only as failing handshakes.
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> WorkerNode.start(
                ConfigFactory.parseString(LoopbackCluster.member(0, List.of(nodePort)) + tls(trustStore, trustStore))
                        .withFallback(ConfigFactory.load()).resolve()));
        assertEquals(MemberConfig.TLS + ".key-store", e.key(), e.getMessage());
        assertTrue(e.getMessage().contains("no private key"), e.getMessage());
    }

    /** A node's {@code host:port}, as the summary names it. */
    private static String hostPort(WorkerNode n) {
        return n.address().substring(n.address().lastIndexOf('@') + 1);
    }
}
