package dev.skiff.it.admin;

import static dev.skiff.it.admin.AdminClients.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cleanup.policy=compact topic: after the background cleaner ran, a consumer reading from the start sees
 * exactly the latest value of each key at the offset it was written at; an expired tombstone is gone.
 */
@Timeout(120)
class CompactedTopicTest {

    static EmbeddedSkiff broker;
    static Admin admin;

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder()
                .port(0)
                .property("log.segment.bytes", "1024") // many small segments
                .property("log.cleaner.backoff.ms", "100") // Kafka's key for the pause between cleaner passes
                .start();
        admin = AdminClients.admin(broker.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (broker != null) broker.close();
    }

    @Test
    void onlyTheLatestValuePerKeyRemainsAfterCleaning() throws Exception {
        get(admin.createTopics(List.of(new NewTopic("compacted", 1, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact", "delete.retention.ms", "0"))))
                .all());
        TopicPartition tp = new TopicPartition("compacted", 0);
        Map<String, Long> latestOffset = new HashMap<>();
        Map<String, String> latestValue = new HashMap<>();
        try (KafkaProducer<String, String> p = AdminClients.producer(broker.bootstrapServers())) {
            for (int round = 0; round < 20; round++) {
                for (int k = 0; k < 8; k++) {
                    String key = "key" + k, value = "round" + round + "-" + k;
                    long offset = p.send(new ProducerRecord<>("compacted", 0, key, value))
                            .get()
                            .offset();
                    latestOffset.put(key, offset);
                    latestValue.put(key, value);
                }
            }
            p.send(new ProducerRecord<>("compacted", 0, "key7", null)).get(); // a tombstone, expired at once
            latestOffset.remove("key7");
            latestValue.remove("key7");
            // unique keys push everything above into inactive segments, which the cleaner may rewrite
            for (int i = 0; i < 40; i++) {
                String key = "filler" + i;
                latestOffset.put(
                        key,
                        p.send(new ProducerRecord<>("compacted", 0, key, "x"))
                                .get()
                                .offset());
                latestValue.put(key, "x");
            }
        }
        long end = get(admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                        .all())
                .get(tp)
                .offset();

        Map<String, ConsumerRecord<String, String>> compacted = Poll.until(
                "the cleaner to leave one record per key",
                () -> byKeyIfUnique(AdminClients.readAll(broker.bootstrapServers(), tp)),
                m -> m != null
                        && !m.containsKey("key7")
                        && m.keySet().containsAll(latestValue.keySet())
                        && m.values().stream()
                                        .filter(r -> r.key().startsWith("key"))
                                        .count()
                                == 7);

        for (Map.Entry<String, String> e : latestValue.entrySet()) {
            ConsumerRecord<String, String> r = compacted.get(e.getKey());
            assertEquals(e.getValue(), r.value(), e.getKey());
            assertEquals(
                    (long) latestOffset.get(e.getKey()),
                    r.offset(),
                    "compaction keeps the original offset of " + e.getKey());
        }
        assertEquals(end, (long) get(admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                        .all())
                .get(tp)
                .offset());
    }

    /** Records by key, or null while some key still appears more than once (not cleaned yet). */
    private static Map<String, ConsumerRecord<String, String>> byKeyIfUnique(
            List<ConsumerRecord<String, String>> records) {
        Map<String, ConsumerRecord<String, String>> out = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            if (out.put(r.key(), r) != null) return null;
        }
        return out;
    }

    @Test
    void recordsWithoutKeyAreRejectedAsInvalidRecord() throws Exception {
        get(admin.createTopics(List.of(
                        new NewTopic("compacted-keys", 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                .all());
        try (KafkaProducer<String, String> p = AdminClients.producer(broker.bootstrapServers())) {
            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> p.send(new ProducerRecord<>("compacted-keys", 0, null, "no key"))
                            .get());
            assertInstanceOf(InvalidRecordException.class, e.getCause()); // INVALID_RECORD (87), as in Kafka
            p.send(new ProducerRecord<>("compacted-keys", 0, "k", "keyed")).get();
        }
    }
}
