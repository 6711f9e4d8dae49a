package dev.strata.node.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PKCS12 key and trust stores made at test time with the JDK's keytool, by the recipe of docs/cluster.md
 * ("Security"): a self-signed CA, member keys with certificates it signed, a trust store holding the CA's
 * certificate. Nothing is committed and every certificate is fresh, so none can expire under the tests.
 */
final class ClusterCertificates {
    /** The password of every store made here (test stores guard nothing). */
    static final String PASSWORD = "strata-test-password";
    /** Days a certificate is valid: any test run ends long before. */
    private static final String VALIDITY_DAYS = "7";
    /** One keytool run on a loaded 2-core machine takes a second or two; this bounds a hung one. */
    private static final long KEYTOOL_TIMEOUT_S = 60;

    private final Path dir;
    private final String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();

    ClusterCertificates(Path dir) {
        this.dir = dir;
    }

    /** A self-signed CA {@code name}: its key in {@code name.p12}, its certificate in {@code name.pem}. */
    void authority(String name) {
        keytool("-genkeypair", "-alias", name, "-dname", "CN=" + name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", VALIDITY_DAYS, "-ext", "bc:c", "-keystore", store(name), "-storetype", "PKCS12");
        keytool("-exportcert", "-rfc", "-alias", name, "-keystore", store(name), "-file", pem(name));
    }

    /** {@code name.p12}: a trust store holding the certificate of CA {@code ca}. */
    Path trustStore(String name, String ca) {
        keytool("-importcert", "-noprompt", "-alias", ca, "-file", pem(ca), "-keystore", store(name),
                "-storetype", "PKCS12");
        return dir.resolve(name + ".p12");
    }

    /**
     * {@code name.p12}: a member's key store holding its key and the chain of its certificate signed by CA
     * {@code ca} (usable for both ends of a connection).
     */
    Path member(String name, String ca) {
        keytool("-genkeypair", "-alias", name, "-dname", "CN=" + name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", VALIDITY_DAYS, "-keystore", store(name), "-storetype", "PKCS12");
        keytool("-certreq", "-alias", name, "-keystore", store(name), "-file", file(name + ".csr"));
        keytool("-gencert", "-rfc", "-alias", ca, "-keystore", store(ca), "-infile", file(name + ".csr"),
                "-outfile", pem(name), "-validity", VALIDITY_DAYS, "-ext", "eku=serverAuth,clientAuth");
        try {
            // The chain CA + member certificate, as keytool takes a reply whose CA is not in the store yet.
            Files.writeString(dir.resolve(name + "-chain.pem"), Files.readString(dir.resolve(ca + ".pem"))
                    + Files.readString(dir.resolve(name + ".pem")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        keytool("-importcert", "-noprompt", "-alias", name, "-file", file(name + "-chain.pem"), "-keystore",
                store(name));
        return dir.resolve(name + ".p12");
    }

    private String store(String name) {
        return file(name + ".p12");
    }

    private String pem(String name) {
        return file(name + ".pem");
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    /** Runs keytool with {@code args} and the store password; fails with its output unless it exits 0 in time. */
    private void keytool(String... args) {
        List<String> command = new ArrayList<>(List.of(keytool));
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", PASSWORD));
        Path log = dir.resolve("keytool.log");
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + keytool, e);
        }
        try {
            if (!p.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException("keytool did not finish in " + KEYTOOL_TIMEOUT_S + " s: " + command);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("keytool exited " + p.exitValue() + ": " + command + "\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while keytool ran", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
