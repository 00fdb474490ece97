package dev.skiff.it.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Client metrics (KIP-714) with kafka-clients 4.1.1: a producer subscribes, pushes the metrics the broker asked
 * for at the interval it was given, and its last push (named by its instance id, with its client.id) can be read
 * through {@link EmbeddedSkiff#clientTelemetry()}; it goes on pushing, deltas as it was asked. Without {@code skiff.telemetry.metrics} the APIs are not
 * listed, as Kafka lists them only with a telemetry receiver, and clients push nothing.
 */
class ClientTelemetryTest {

    private static final String PREFIX = "org.apache.kafka.producer.";

    @Test
    void producerPushesTheMetricsAskedFor() throws Exception {
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder()
                .property("skiff.telemetry.metrics", PREFIX)
                // the test sees the latest push only: pushes far enough apart that a slow probe misses none
                .property("skiff.telemetry.push.interval.ms", "2000")
                .start()) {
            skiff.createTopic("pushed", 1);
            Properties p = new Properties();
            p.put("bootstrap.servers", skiff.bootstrapServers());
            p.put("client.id", "metrics-producer");
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++)
                    producer.send(new ProducerRecord<>("pushed", "k" + i, "v" + i))
                            .get(30, TimeUnit.SECONDS);
                String instanceId =
                        producer.clientInstanceId(Duration.ofSeconds(30)).toString();
                // the records sent show up in the pushes that follow, as deltas that add up to them
                Map<Integer, Double> sentByPush = new ConcurrentHashMap<>();
                EmbeddedSkiff.ClientTelemetry pushed = Poll.until(
                        "pushes with the records sent",
                        () -> skiff.clientTelemetry().stream()
                                .filter(t -> t.clientInstanceId().equals(instanceId))
                                .findFirst()
                                .orElse(null),
                        t -> {
                            if (t == null) return false;
                            sentByPush.put(t.pushes(), sent(t));
                            return sentByPush.values().stream()
                                            .mapToDouble(d -> d)
                                            .sum()
                                    >= 10;
                        });
                assertEquals("metrics-producer", pushed.clientId());
                assertFalse(pushed.metrics().isEmpty());
                for (EmbeddedSkiff.ClientMetric m : pushed.metrics())
                    assertTrue(m.name().startsWith(PREFIX), "only the metrics asked for are pushed: " + m.name());
                // per-node metrics carry the node as an attribute
                assertTrue(
                        pushed.metrics().stream()
                                .anyMatch(m -> "node-0".equals(m.attributes().get("node_id"))),
                        "node_id attributes in " + pushed.metrics());
                // it goes on pushing at the interval; sums are deltas (delta temporality), so later pushes show 0
                EmbeddedSkiff.ClientTelemetry later = Poll.until(
                        "more pushes", () -> skiff.clientTelemetry().get(0), t -> t.pushes() >= pushed.pushes() + 2);
                assertEquals(0.0, sent(later), "delta of record.send.total with nothing sent since");
                assertEquals(
                        10.0, sentByPush.values().stream().mapToDouble(d -> d).sum());
            }
        }
    }

    /** record.send.total, summed over the points that carry it. */
    private static double sent(EmbeddedSkiff.ClientTelemetry t) {
        double total = 0;
        for (EmbeddedSkiff.ClientMetric m : t.metrics())
            if (m.name().equals(PREFIX + "record.send.total") && m.value() != null) total += m.value();
        return total;
    }

    @Test
    void withoutMetricsAskedForTheApisAreNotListed() throws Exception {
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder().start();
                KafkaWire wire = new KafkaWire(skiff.host(), skiff.port())) {
            ApiVersionsResponseData r = wire.send(
                    new ApiVersionsRequestData().setClientSoftwareName("t").setClientSoftwareVersion("1"), 3);
            assertNotNull(r.apiKeys().find(ApiKeys.METADATA.id));
            assertEquals(null, r.apiKeys().find(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS.id));
            assertEquals(null, r.apiKeys().find(ApiKeys.PUSH_TELEMETRY.id));
            Properties p = new Properties();
            p.put("bootstrap.servers", skiff.bootstrapServers());
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                producer.partitionsFor("quiet");
            }
            assertEquals(List.of(), skiff.clientTelemetry());
        }
    }
}
