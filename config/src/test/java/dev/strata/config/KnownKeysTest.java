package dev.strata.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(10)
class KnownKeysTest {

    private static InvalidSettingException invalid(String hocon) {
        return assertThrows(InvalidSettingException.class,
                () -> WorkerSettings.fromConfig(ConfigFactory.parseString(hocon)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "strata.worker.heap-ring-sise = 1 MiB       | strata.worker.heap-ring-sise        | strata.worker.heap-ring-size",
        "strata.wroker { heap-ring-size = 1 MiB }   | strata.wroker.heap-ring-size        | strata.worker.heap-ring-size",
        "strata.run.timout = 5 s                    | strata.run.timout                   | strata.run.timeout",
        "strata.trace.enable = true                 | strata.trace.enable                 | strata.trace.enabled",
        "strata.worker.process.task-timout = 1 s    | strata.worker.process.task-timout   | strata.worker.process.task-timeout",
    })
    void typoFailsNamingTheKeyAndTheNearestValidOne(String hocon, String key, String meant) {
        InvalidSettingException e = invalid(hocon);
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains("did you mean " + meant + "?"), e.getMessage());
    }

    @Test
    void farFromAnyKeyGetsNoSuggestion() {
        InvalidSettingException e = invalid("strata.completely-unrelated-thing = 1");
        assertEquals("strata.completely-unrelated-thing", e.key());
        assertTrue(e.getMessage().contains("unknown setting"), e.getMessage());
        assertTrue(!e.getMessage().contains("did you mean"), e.getMessage());
    }

    @Test
    void nullValuedTypoIsStillFound() {
        assertEquals("strata.worker.chip-worker", invalid("strata.worker.chip-worker = null").key());
    }

    @Test
    void strataItselfMustBeASection() {
        assertEquals("strata", invalid("strata = 3").key());
    }

    @Test
    void dispatcherSectionsArePekkosBusiness() {
        WorkerSettings s = WorkerSettings.fromConfig(ConfigFactory.parseString(
                "strata.worker.blocking-dispatcher.thread-pool-executor.keep-alive-time = 30 s\n"
                        + "strata.worker.engine-dispatcher.fork-join-executor.task-peeking-mode = FIFO"));
        assertEquals("strata.worker.blocking-dispatcher", s.dispatcher());
    }

    @Test
    void aUsersOwnDispatcherUnderStrataIsAccepted() {
        WorkerSettings s = WorkerSettings.fromConfig(ConfigFactory.parseString(
                "strata.my-dispatcher { type = Dispatcher, executor = thread-pool-executor, throughput = 1 }\n"
                        + "strata.worker.dispatcher = strata.my-dispatcher"));
        assertEquals("strata.my-dispatcher", s.dispatcher());
    }

    @Test
    void anyDispatcherSectionUnderStrataIsAccepted() {
        WorkerSettings.fromConfig(ConfigFactory.parseString(
                "strata.other-dispatcher { type = Dispatcher, executor = thread-pool-executor, throughput = 1 }"));
    }

    @Test
    void keysOutsideStrataAreNotChecked() {
        WorkerSettings.fromConfig(ConfigFactory.parseString("pekko.actor.no-such-key = 1\nmyapp.x = 2"));
    }

    @Test
    void knownKeysAndListsPass() {
        Config reference = ConfigFactory.parseString("strata { a { b = 1, list = [x, y] }, c = null }");
        KnownKeys known = new KnownKeys(reference);
        known.check(ConfigFactory.parseString("strata { a { b = 2, list = [] }, c = 3 }"));
        assertEquals("strata.a.bb", assertThrows(InvalidSettingException.class,
                () -> known.check(ConfigFactory.parseString("strata.a.bb = 1"))).key());
    }

    @Test
    void suggestionsNeedASmallDistance() {
        KnownKeys known = new KnownKeys(ConfigFactory.parseString("strata.worker.queue-depth = 8"));
        assertEquals("strata.worker.queue-depth", known.nearest("strata.worker.queue-dept"));
        assertNull(known.nearest("strata.worker.zzzzzzzzzzzzz"));
        assertEquals(3, KnownKeys.editDistance("kitten", "sitting"));
        assertEquals(0, KnownKeys.editDistance("", ""));
    }
}
