package dev.skiff.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.BrokerFixture;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.server.faults.Fault;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kafka-python (Debian's python3-kafka) with its defaults: it guesses the broker's version from ApiVersions and
 * picks its request versions from that guess. Then pinned to older generations, as applications written for
 * old brokers do. Script: src/test/resources/clients/kafka_python_client.py.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KafkaPythonTest {

    private static final String SCRIPT = "kafka_python_client.py";

    @RegisterExtension
    static final ClientBroker clients = new ClientBroker("kafka-python");

    @BeforeEach
    void needsClient() {
        ClientScripts.assumePythonModule("kafka");
        clients.usage().label(ApiUsage.DEFAULTS);
    }

    private static ClientScripts.Result kafkaPython(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = clients.broker().bootstrapServers();
        System.arraycopy(args, 0, all, 1, args.length);
        return ClientScripts.python(env, SCRIPT, all).ok();
    }

    @Test
    void probesTheBrokerThenProducesConsumesAndCommits() {
        String topic = BrokerFixture.uniqueTopic("kp");
        String group = "g-" + topic;
        ClientScripts.Result produced = kafkaPython(Map.of(), "produce", topic, "40", "0", "gzip");
        assertEquals(40, produced.lines("DELIVERED").size());
        // the probe found a broker of at least 1.0, so it uses record batches, not legacy message sets
        String guessed = produced.lines("API_VERSION").get(0);
        assertTrue(guessed.matches("\\(([1-9]|\\d\\d)\\b.*"), "kafka-python guessed broker version " + guessed);

        ClientScripts.Result first = kafkaPython(Map.of(), "consume", topic, group, "40");
        Records.assertReadBack(first.lines("RECORD"), 0, 40);
        Records.assertCommittedAtEnd(first.lines("COMMITTED"), first.lines("RECORD"));

        kafkaPython(Map.of(), "produce", topic, "10", "40", "none");
        ClientScripts.Result second = kafkaPython(Map.of(), "consume", topic, group, "10");
        Records.assertReadBack(second.lines("RECORD"), 40, 10);
        assertEquals(50, clients.broker().recordCount(topic));
    }

    /**
     * The fallback of the probe: when ApiVersions goes unanswered (the connection drops, as a 0.9 broker does on an
     * API it does not know), kafka-python tries ListGroups v0, concludes "0.9" and speaks that generation.
     */
    @Test
    void guessesFromOlderRequestsWhenApiVersionsFails() {
        String topic = BrokerFixture.uniqueTopic("kp-guess");
        clients.usage().label("ApiVersions dropped");
        Fault noApiVersions =
                clients.broker().faults().on(ApiKeys.API_VERSIONS).always().dropConnection();
        try {
            ClientScripts.Result produced = kafkaPython(Map.of(), "produce", topic, "20", "0", "gzip");
            assertEquals(List.of("(0, 9)"), produced.lines("API_VERSION"));
            ClientScripts.Result read = kafkaPython(Map.of(), "consume", topic, "g-" + topic, "20");
            assertEquals(List.of("(0, 9)"), read.lines("API_VERSION"));
            Records.assertReadBack(read.lines("RECORD"), 0, 20);
            Records.assertCommittedAtEnd(read.lines("COMMITTED"), read.lines("RECORD"));
        } finally {
            noApiVersions.remove();
        }
        assertTrue(noApiVersions.timesApplied() >= 2, "each client probed once");
    }

    /** api_version pinned: the request versions of that broker generation (0.9 and 0.10.0: message sets v0/v1). */
    @ParameterizedTest(name = "api_version={0}")
    @ValueSource(strings = {"0.9", "0.10.0", "0.10.1", "0.11", "1.0", "2.0"})
    void pinnedOlderGenerations(String apiVersion) {
        String topic = BrokerFixture.uniqueTopic("kp-pinned");
        Map<String, String> env = Map.of("KAFKA_PYTHON_API_VERSION", apiVersion);
        clients.usage().label("api_version=" + apiVersion);
        assertEquals(
                20,
                kafkaPython(env, "produce", topic, "20", "0", "gzip")
                        .lines("DELIVERED")
                        .size());
        ClientScripts.Result read = kafkaPython(env, "consume", topic, "g-" + topic, "20");
        Records.assertReadBack(read.lines("RECORD"), 0, 20);
        Records.assertCommittedAtEnd(read.lines("COMMITTED"), read.lines("RECORD"));
    }
}
