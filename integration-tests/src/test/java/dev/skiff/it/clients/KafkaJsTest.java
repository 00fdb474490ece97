package dev.skiff.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.BrokerFixture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KafkaJS (npm kafkajs, installed by .ci/install-clients.sh) with its defaults: producer plain and idempotent,
 * a consumer group run with eachMessage that commits, the admin client. Script: src/test/resources/clients/kafkajs_client.js.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KafkaJsTest {

    private static final String SCRIPT = "kafkajs_client.js";

    @RegisterExtension
    static final ClientBroker clients = new ClientBroker("KafkaJS");

    @BeforeEach
    void needsClient() {
        ClientScripts.assumeKafkaJs();
    }

    private static ClientScripts.Result kafkajs(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = clients.broker().bootstrapServers();
        System.arraycopy(args, 0, all, 1, args.length);
        return ClientScripts.node(SCRIPT, all).ok();
    }

    @ParameterizedTest(name = "idempotent={0}")
    @ValueSource(strings = {"false", "true"})
    void producesAndConsumesInAGroup(String idempotent) {
        String topic = BrokerFixture.uniqueTopic("js");
        String group = "g-" + topic;
        List<String> acks =
                kafkajs("produce", topic, "60", "0", idempotent, "none").lines("ACK");
        assertTrue(acks.stream().allMatch(a -> a.endsWith(" 0")), () -> "error codes in " + acks);
        kafkajs("produce", topic, "40", "60", idempotent, "gzip");
        assertEquals(100, clients.broker().recordCount(topic), "each record once");

        ClientScripts.Result read = kafkajs("consume", topic, group, "100");
        Records.assertReadBack(read.lines("RECORD"), 0, 100);
        Records.assertCommittedAtEnd(read.lines("COMMITTED"), read.lines("RECORD"));
    }

    @Test
    void adminCreatesAndDescribesTopics() {
        String topic = BrokerFixture.uniqueTopic("js-admin");
        ClientScripts.Result r = kafkajs("admin", topic, "4");
        assertEquals(List.of(topic + " true"), r.lines("CREATED"));
        assertEquals(List.of(topic + " 4"), r.lines("TOPIC"));
        assertEquals(List.of("true"), r.lines("LIST"));
    }
}
