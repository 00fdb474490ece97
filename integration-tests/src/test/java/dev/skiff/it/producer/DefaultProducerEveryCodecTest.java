package dev.skiff.it.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kafka-clients 4.1 with its default settings (idempotence on, acks=all, five requests in flight) for every
 * codec: everything sent is read back exactly once, in order per partition, and DescribeProducers shows the
 * producer with epoch 0 and the last sequence of each partition.
 */
class DefaultProducerEveryCodecTest {

    private static final int RECORDS = 3000;
    private static final int PARTITIONS = 3;
    private static EmbeddedSkiff skiff;

    @BeforeAll
    static void start() {
        skiff = EmbeddedSkiff.builder().start();
    }

    @AfterAll
    static void stop() {
        skiff.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void everythingOnceInOrder(String codec) throws Exception {
        String topic = "default-" + codec;
        skiff.createTopic(topic, PARTITIONS);
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, String> producer =
                Clients.producer(skiff.bootstrapServers(), "compression.type", codec, "linger.ms", "5")) {
            for (int i = 0; i < RECORDS; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, i % PARTITIONS, "k" + i, "value-" + i)));
            }
            producer.flush();
            for (Future<RecordMetadata> f : acks) f.get(30, TimeUnit.SECONDS);
        }
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) tps.add(new TopicPartition(topic, p));
        List<ConsumerRecord<String, String>> read =
                Clients.readAll(skiff.bootstrapServers(), tps, RECORDS, Duration.ofSeconds(30));
        assertEquals(RECORDS, read.size(), "records read back from " + topic);
        Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
        Set<String> keys = new HashSet<>();
        for (ConsumerRecord<String, String> r : read) {
            int i = Integer.parseInt(r.key().substring(1));
            assertEquals("value-" + i, r.value());
            assertEquals(i % PARTITIONS, r.partition());
            assertTrue(keys.add(r.key()), "read once: " + r.key());
            byPartition.computeIfAbsent(r.partition(), x -> new ArrayList<>()).add(i);
        }
        byPartition.forEach((p, list) -> {
            for (int j = 1; j < list.size(); j++) assertTrue(list.get(j - 1) < list.get(j), "order in partition " + p);
        });
        for (int p = 0; p < PARTITIONS; p++) {
            RecordMetadata m = acks.get(acks.size() - PARTITIONS + p).get();
            assertEquals(
                    RECORDS / PARTITIONS - 1, m.offset(), "offset of the last record of partition " + m.partition());
        }
        assertProducerDescribed(tps);
    }

    private static void assertProducerDescribed(Collection<TopicPartition> tps) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, skiff.bootstrapServers()))) {
            Map<TopicPartition, PartitionProducerState> states =
                    admin.describeProducers(tps).all().get(30, TimeUnit.SECONDS);
            Set<Long> ids = new HashSet<>();
            for (TopicPartition tp : tps) {
                List<ProducerState> active = states.get(tp).activeProducers();
                assertEquals(1, active.size(), "producers of " + tp);
                ProducerState s = active.get(0);
                assertEquals(0, s.producerEpoch());
                assertEquals(RECORDS / PARTITIONS - 1, s.lastSequence(), "last sequence in " + tp);
                assertTrue(s.producerId() >= 0);
                ids.add(s.producerId());
            }
            assertEquals(1, ids.size(), "one producer id for every partition");
        }
    }
}
