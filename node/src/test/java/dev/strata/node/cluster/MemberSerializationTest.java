package dev.strata.node.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.strata.cluster.MemberConfig;
import dev.strata.protocol.CborSerializable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import scala.util.Try;

/**
 * What a cluster member's serialization accepts, with the configuration a worker node runs with: Strata's own
 * message types (records marked {@link CborSerializable}, as Jackson CBOR) and nothing else. A peer cannot make a
 * member build an object of another class, neither by Java serialization nor by naming the class in a Jackson
 * manifest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class MemberSerializationTest {
    /** A Strata message type: marked. */
    public record Marked(int n, String text) implements CborSerializable {
    }

    /** The same shape, unmarked. */
    public record Unmarked(int n, String text) {
    }

    /** Unmarked but Java-serializable, the classic gadget route. */
    public record JavaSerializable(int n, String text) implements Serializable {
    }

    private ActorSystem<Void> system;
    private Serialization serialization;

    @BeforeAll
    void startAMember() {
        Config config = MemberConfig.of(MemberConfig.WORKER_ROLE,
                LoopbackCluster.config(LoopbackCluster.member(0, List.of()), ""));
        system = ActorSystem.create(Behaviors.empty(), MemberConfig.SYSTEM_NAME, config);
        serialization = SerializationExtension.get(Adapter.toClassic(system));
    }

    @AfterAll
    void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void javaSerializationIsOffAndJacksonIsBoundToTheMarkerAlone() {
        Config c = system.settings().config();
        assertFalse(c.getBoolean("pekko.actor.allow-java-serialization"));
        Map<String, Object> jacksonBindings = new TreeMap<>();
        c.getObject("pekko.actor.serialization-bindings").unwrapped().forEach((type, serializer) -> {
            if (String.valueOf(serializer).startsWith("jackson")) {
                jacksonBindings.put(type, serializer);
            }
        });
        assertEquals(Map.of(CborSerializable.class.getName(), "jackson-cbor"), jacksonBindings);
    }

    @Test
    void aMarkedMessageTravelsAsJacksonCbor() {
        Marked m = new Marked(3, "three");
        Serializer serializer = serialization.findSerializerFor(m);
        assertEquals(identifier("jackson-cbor"), serializer.identifier());
        byte[] bytes = serialization.serialize(m).get();
        assertEquals(m, serialization.deserialize(bytes, serializer.identifier(),
                Serializers.manifestFor(serializer, m)).get());
    }

    @Test
    void anUnmarkedTypeIsRefusedWhenSent() {
        assertThrows(NotSerializableException.class, () -> serialization.findSerializerFor(new Unmarked(1, "x")));
        assertTrue(serialization.serialize(new Unmarked(1, "x")).isFailure());
        // java.io.Serializable alone does not help: Pekko's Java serializer is replaced by one that refuses.
        Try<byte[]> java = serialization.serialize(new JavaSerializable(1, "x"));
        assertTrue(java.isFailure(), "Java serialization must be off");
        assertTrue(java.failed().get().getMessage().contains("allow-java-serialization"),
                java.failed().get().getMessage());
    }

    @Test
    void bytesNamingAnUnmarkedTypeAreRefusedWhenReceived() throws IOException {
        // What a hostile peer could send: valid Jackson CBOR bytes whose manifest names a class Strata does not
        // send, and Java-serialized bytes under the Java serializer's identifier.
        Marked m = new Marked(3, "three");
        Serializer serializer = serialization.findSerializerFor(m);
        byte[] cbor = serialization.serialize(m).get();
        String manifest = Serializers.manifestFor(serializer, m).replace(Marked.class.getName(),
                Unmarked.class.getName());
        assertNotEquals(Serializers.manifestFor(serializer, m), manifest);
        Try<Object> forged = serialization.deserialize(cbor, serializer.identifier(), manifest);
        assertTrue(forged.isFailure(), "Jackson read a class that is not bound to it: " + forged);
        assertTrue(forged.failed().get().getMessage().contains(Unmarked.class.getName()),
                forged.failed().get().getMessage());

        ByteArrayOutputStream javaBytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(javaBytes)) {
            out.writeObject(new JavaSerializable(1, "x"));
        }
        Try<Object> java = serialization.deserialize(javaBytes.toByteArray(),
                identifier("org.apache.pekko.serialization.JavaSerializer"), "");
        assertTrue(java.isFailure(), "Java-serialized bytes were read: " + java);
    }

    /** A serializer's identifier as Pekko's reference.conf gives it. */
    private int identifier(String serializer) {
        return system.settings().config().getInt("pekko.actor.serialization-identifiers.\"" + serializer + "\"");
    }
}
