package dev.skiff.it.kafka08;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.skiff.it.BrokerFixture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import kafka.common.ErrorMapping;
import kafka.common.OffsetMetadataAndError;
import kafka.common.TopicAndPartition;
import kafka.javaapi.OffsetCommitRequest;
import kafka.javaapi.OffsetCommitResponse;
import kafka.javaapi.OffsetFetchRequest;
import kafka.javaapi.OffsetFetchResponse;
import kafka.javaapi.consumer.SimpleConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OffsetCommit and OffsetFetch version 0, as a 0.8.1 SimpleConsumer sends them (commitOffsets / fetchOffsets):
 * committed offsets read back per group and partition, a newer commit replaces an older one, a partition never
 * committed reads back as offset -1, and (Skiff only) commits outlive a restart. The real 0.8.1.1 broker keeps
 * them in ZooKeeper and drops the metadata string, so the metadata is checked against Skiff only.
 */
class CommittedOffsetsV0Test {
    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    private static final short VERSION_0 = 0;
    private static final int PARTITIONS = 3;
    private static final AtomicInteger correlation = new AtomicInteger();
    private static String topic;

    @BeforeAll
    static void createTopic() {
        topic = BrokerFixture.uniqueTopic("commits");
        Kafka08.createTopic(broker, topic, PARTITIONS);
    }

    @Test
    void committedOffsetsReadBackPerGroupAndPartition() {
        String group = BrokerFixture.uniqueTopic("group");
        String otherGroup = BrokerFixture.uniqueTopic("other");
        SimpleConsumer consumer = Kafka08.consumer(broker.host(), broker.port(), "commit-client");
        try {
            commit(consumer, group, Map.of(0, 5L, 1, 17L), "first");
            Map<Integer, OffsetMetadataAndError> fetched = fetch(consumer, group, 0, 1, 2);
            assertCommitted(fetched.get(0), 5, "first", "partition 0");
            assertCommitted(fetched.get(1), 17, "first", "partition 1");
            assertEquals(
                    OffsetMetadataAndError.InvalidOffset(), fetched.get(2).offset(), "partition 2, never committed");

            commit(consumer, group, Map.of(0, 9L), "second");
            fetched = fetch(consumer, group, 0, 1);
            assertCommitted(fetched.get(0), 9, "second", "partition 0 after a second commit");
            assertCommitted(fetched.get(1), 17, "first", "partition 1, not in the second commit");

            Map<Integer, OffsetMetadataAndError> other = fetch(consumer, otherGroup, 0, 1);
            assertEquals(OffsetMetadataAndError.InvalidOffset(), other.get(0).offset(), "another group's partition 0");
            assertEquals(OffsetMetadataAndError.InvalidOffset(), other.get(1).offset(), "another group's partition 1");
        } finally {
            consumer.close();
        }
    }

    @Test
    void committedOffsetsSurviveRestart() {
        broker.requireEmbedded("restarts the broker");
        String group = BrokerFixture.uniqueTopic("durable");
        SimpleConsumer consumer = Kafka08.consumer(broker.host(), broker.port(), "commit-client");
        try {
            commit(consumer, group, Map.of(0, 3L, 1, 4L, 2, 5L), "kept");
        } finally {
            consumer.close();
        }

        broker.restart();

        Kafka08.awaitLeaders(broker, topic, PARTITIONS);
        SimpleConsumer after = Kafka08.consumer(broker.host(), broker.port(), "commit-client");
        try {
            Map<Integer, OffsetMetadataAndError> fetched = fetch(after, group, 0, 1, 2);
            assertCommitted(fetched.get(0), 3, "kept", "partition 0 after restart");
            assertCommitted(fetched.get(1), 4, "kept", "partition 1 after restart");
            assertCommitted(fetched.get(2), 5, "kept", "partition 2 after restart");
        } finally {
            after.close();
        }
    }

    private static void commit(SimpleConsumer consumer, String group, Map<Integer, Long> offsets, String metadata) {
        Map<TopicAndPartition, OffsetMetadataAndError> info = new LinkedHashMap<>();
        offsets.forEach((partition, offset) -> info.put(
                new TopicAndPartition(topic, partition),
                new OffsetMetadataAndError(offset, metadata, ErrorMapping.NoError())));
        OffsetCommitResponse response = consumer.commitOffsets(
                new OffsetCommitRequest(group, info, VERSION_0, correlation.incrementAndGet(), consumer.clientId()));
        for (TopicAndPartition tp : info.keySet()) {
            assertEquals((Object) ErrorMapping.NoError(), response.errors().get(tp), "commit error code of " + tp);
        }
    }

    private static Map<Integer, OffsetMetadataAndError> fetch(
            SimpleConsumer consumer, String group, int... partitions) {
        List<TopicAndPartition> asked = new ArrayList<>();
        for (int p : partitions) {
            asked.add(new TopicAndPartition(topic, p));
        }
        OffsetFetchResponse response = consumer.fetchOffsets(
                new OffsetFetchRequest(group, asked, VERSION_0, correlation.incrementAndGet(), consumer.clientId()));
        Map<Integer, OffsetMetadataAndError> byPartition = new LinkedHashMap<>();
        for (TopicAndPartition tp : asked) {
            OffsetMetadataAndError answer = response.offsets().get(tp);
            assertNotNull(answer, "OffsetFetch answered " + tp + ": " + response.offsets());
            byPartition.put(tp.partition(), answer);
        }
        return byPartition;
    }

    private static void assertCommitted(OffsetMetadataAndError answer, long offset, String metadata, String what) {
        assertEquals(ErrorMapping.NoError(), answer.error(), "error code of " + what);
        assertEquals(offset, answer.offset(), "committed offset of " + what);
        if (broker.isEmbedded()) {
            assertEquals(metadata, answer.metadata(), "committed metadata of " + what);
        }
    }
}
