package dev.skiff.it.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.EmbeddedSkiff.StoredRecord;
import dev.skiff.server.EmbeddedSkiff.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The embedding facade: topics, records and offsets of an EmbeddedSkiff, seen as a client left them. */
class EmbeddingFacadeTest {

    @Test
    void topicsAreCreatedListedGrownAndDeleted() {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().topic("orders", 2).start()) {
            broker.createTopic("compacted", 3, Map.of("cleanup.policy", "compact"));
            assertTrue(
                    broker.topics().containsAll(List.of("orders", "compacted")),
                    broker.topics().toString());
            assertEquals(3, broker.partitions("compacted"));
            assertEquals(0, broker.partitions("missing"));
            broker.addPartitions("orders", 5);
            assertEquals(5, broker.partitions("orders"));
            assertTrue(broker.deleteTopic("compacted"));
            assertFalse(broker.topics().contains("compacted"));
            assertFalse(broker.deleteTopic("compacted"));
        }
    }

    @Test
    void recordsOffsetsAndLogBoundsAreWhatClientsLeft() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().topic("orders", 2).start()) {
            Map<String, Object> common = Map.of("bootstrap.servers", broker.bootstrapServers());
            try (KafkaProducer<String, String> p = new KafkaProducer<>(
                    Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all"),
                    new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 5; i++) {
                    ProducerRecord<String, String> r = new ProducerRecord<>("orders", 1, "k" + i, "v" + i);
                    r.headers().add("h", ("x" + i).getBytes(StandardCharsets.UTF_8));
                    p.send(r).get();
                }
                p.send(new ProducerRecord<>("orders", 0, null, "p0")).get();
            }
            assertEquals(6, broker.awaitRecords("orders", 6, Duration.ofSeconds(10)));

            List<StoredRecord> records = broker.records("orders", 1);
            assertEquals(
                    List.of(0L, 1L, 2L, 3L, 4L),
                    records.stream().map(StoredRecord::offset).toList());
            assertEquals("k3", records.get(3).keyString());
            assertEquals("v3", records.get(3).valueString());
            assertEquals("h", records.get(3).headers().get(0).key());
            assertArrayEquals(
                    "x3".getBytes(StandardCharsets.UTF_8),
                    records.get(3).headers().get(0).value());
            assertNull(broker.records("orders", 0).get(0).key());

            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(
                    Map.of("bootstrap.servers", broker.bootstrapServers(), "group.id", "billing"),
                    new StringDeserializer(),
                    new StringDeserializer())) {
                c.commitSync(Map.of(new org.apache.kafka.common.TopicPartition("orders", 1), new OffsetAndMetadata(3)));
            }
            assertEquals(Map.of(new TopicPartition("orders", 1), 3L), broker.committedOffsets("billing"));
            assertEquals(Map.of(), broker.committedOffsets("nobody"));

            try (Admin admin = Admin.create(common)) {
                admin.deleteRecords(Map.of(
                                new org.apache.kafka.common.TopicPartition("orders", 1),
                                RecordsToDelete.beforeOffset(2)))
                        .all()
                        .get();
            }
            assertEquals(2, broker.logStartOffset("orders", 1));
            assertEquals(5, broker.logEndOffset("orders", 1));
            assertEquals(
                    List.of(2L, 3L, 4L),
                    broker.records("orders", 1).stream()
                            .map(StoredRecord::offset)
                            .toList());
            assertThrows(IllegalArgumentException.class, () -> broker.logEndOffset("orders", 7));
        }
    }
}
