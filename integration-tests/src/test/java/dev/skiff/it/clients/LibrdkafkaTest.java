package dev.skiff.it.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.BrokerFixture;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * librdkafka (through confluent-kafka-python, Debian's python3-confluent-kafka) with its default settings:
 * produce in every codec it has, idempotent or not, a consumer group that commits and a second member that
 * resumes from the commit, and the admin client. Script: src/test/resources/clients/rdkafka_client.py.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LibrdkafkaTest {

    private static final String SCRIPT = "rdkafka_client.py";

    @RegisterExtension
    static final ClientBroker clients = new ClientBroker("librdkafka");

    @BeforeEach
    void needsClient() {
        ClientScripts.assumePythonModule("confluent_kafka");
        clients.usage().label(ApiUsage.DEFAULTS);
    }

    private static ClientScripts.Result rdkafka(String... args) {
        return rdkafka(Map.of(), args);
    }

    private static ClientScripts.Result rdkafka(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = clients.broker().bootstrapServers();
        System.arraycopy(args, 0, all, 1, args.length);
        return ClientScripts.python(env, SCRIPT, all).ok();
    }

    @ParameterizedTest(name = "compression.codec={0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void producesAndConsumesEveryCodec(String codec) {
        String topic = BrokerFixture.uniqueTopic("rd-" + codec);
        List<String> delivered =
                rdkafka("produce", topic, codec, "200", "false", "0").lines("DELIVERED");
        assertEquals(200, delivered.size());
        assertEquals(200, clients.broker().recordCount(topic));

        ClientScripts.Result read = rdkafka("consume", topic, "g-" + topic, "200");
        Records.assertReadBack(read.lines("RECORD"), 0, 200);
        Records.assertCommittedAtEnd(read.lines("COMMITTED"), read.lines("RECORD"));
    }

    @Test
    void idempotentProducer() {
        String topic = BrokerFixture.uniqueTopic("rd-idempotent");
        rdkafka("produce", topic, "lz4", "300", "true", "0");
        assertEquals(300, clients.broker().recordCount(topic), "each record once");
        Records.assertReadBack(rdkafka("consume", topic, "g-" + topic, "300").lines("RECORD"), 0, 300);
    }

    @Test
    void secondConsumerResumesFromTheCommit() {
        String topic = BrokerFixture.uniqueTopic("rd-resume");
        String group = "g-" + topic;
        rdkafka("produce", topic, "none", "30", "false", "0");
        ClientScripts.Result first = rdkafka("consume", topic, group, "30");
        Records.assertCommittedAtEnd(first.lines("COMMITTED"), first.lines("RECORD"));

        rdkafka("produce", topic, "none", "10", "false", "30");
        // every partition holds earlier records, so without the commit the first ten read would include some
        Records.assertReadBack(rdkafka("consume", topic, group, "10").lines("RECORD"), 30, 10);
    }

    @Test
    void adminCreatesListsAndDescribes() {
        String topic = BrokerFixture.uniqueTopic("rd-admin");
        ClientScripts.Result r = rdkafka("admin", topic, "4");
        assertEquals(List.of(topic), r.lines("CREATED"));
        assertTrue(r.lines("TOPIC").contains(topic + " 4"), r.stdout());
        assertEquals(
                List.of("0 " + clients.broker().host() + " " + clients.broker().port()), r.lines("BROKER"));
        Map<String, String> configs = new TreeMap<>();
        r.lines("CONFIG")
                .forEach(kv -> configs.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1)));
        assertEquals("delete", configs.get("cleanup.policy"), r.stdout());
        assertEquals("604800000", configs.get("retention.ms"), r.stdout());
    }

    /**
     * Told not to ask ApiVersions, librdkafka speaks the protocol of the broker version it is given: 0.8.2 and 0.9.0
     * produce legacy message sets (magic 0), read back by a group consumer (0.8.2 has no groups: read with defaults).
     * Fallbacks of 0.10 and later make librdkafka send ApiVersions anyway.
     */
    @ParameterizedTest(name = "broker.version.fallback={0}")
    @ValueSource(strings = {"0.8.2", "0.9.0"})
    void olderProtocolWithoutApiVersions(String fallback) {
        String topic = BrokerFixture.uniqueTopic("rd-fallback");
        Map<String, String> env =
                Map.of("RDKAFKA_EXTRA", "api.version.request=false,broker.version.fallback=" + fallback);
        clients.usage().label("broker.version.fallback=" + fallback);
        rdkafka(env, "produce", topic, "gzip", "50", "false", "0");
        Map<String, String> consumerEnv = fallback.equals("0.8.2") ? Map.of() : env;
        Records.assertReadBack(
                rdkafka(consumerEnv, "consume", topic, "g-" + topic, "50").lines("RECORD"), 0, 50);
    }
}
