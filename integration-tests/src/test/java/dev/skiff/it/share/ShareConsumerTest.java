package dev.skiff.it.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.BrokerFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * KIP-932 share groups with kafka-clients 4.1.1's KafkaShareConsumer: records shared among the consumers of a
 * group, each delivered to one of them; released records come back with a higher delivery count, rejected ones do
 * not, and a record released as often as group.share.delivery.count.limit allows is archived; acknowledged state
 * survives a restart.
 */
class ShareConsumerTest {

    static final int DELIVERY_LIMIT = 3;

    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture()
            .property("share.auto.offset.reset", "earliest")
            .property("group.share.delivery.count.limit", Integer.toString(DELIVERY_LIMIT));

    @Test
    void threeConsumersShareTheRecordsOfOneTopic() throws Exception {
        String topic = BrokerFixture.uniqueTopic("shared");
        broker.createTopic(topic, 1);
        ShareClients.produce(broker.bootstrap(), topic, 0, 60, "r");
        List<KafkaShareConsumer<String, String>> consumers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                var c = ShareClients.consumer(broker.bootstrap(), "three-" + topic, false);
                c.subscribe(List.of(topic));
                consumers.add(c);
            }
            Map<String, Integer> seenBy = new HashMap<>();
            List<String> duplicates = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seenBy.size() < 60 && System.nanoTime() < deadline) {
                for (int i = 0; i < consumers.size(); i++) {
                    for (ConsumerRecord<String, String> r : ShareClients.poll(consumers.get(i))) {
                        if (seenBy.put(r.value(), i) != null) duplicates.add(r.value());
                    }
                }
            }
            assertEquals(60, seenBy.size(), "every record delivered");
            assertEquals(List.of(), duplicates, "no record delivered twice");
        } finally {
            for (var c : consumers) c.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void releasedComeBackRejectedDoNotAndTheLimitArchives() throws Exception {
        String topic = BrokerFixture.uniqueTopic("acks");
        broker.createTopic(topic, 1);
        ShareClients.produce(broker.bootstrap(), topic, 0, 3, "v");
        try (var c = ShareClients.consumer(broker.bootstrap(), "acks-" + topic, true)) {
            c.subscribe(List.of(topic));
            // v0 is always released, v1 rejected at once, v2 accepted at once
            Map<String, List<Short>> deliveries = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : ShareClients.poll(c)) {
                    deliveries
                            .computeIfAbsent(r.value(), k -> new ArrayList<>())
                            .add(r.deliveryCount().orElse((short) -1));
                    c.acknowledge(
                            r,
                            switch (r.value()) {
                                case "v0" -> AcknowledgeType.RELEASE;
                                case "v1" -> AcknowledgeType.REJECT;
                                default -> AcknowledgeType.ACCEPT;
                            });
                }
                c.commitSync();
                if (deliveries.getOrDefault("v0", List.of()).size() >= DELIVERY_LIMIT) break;
            }
            // a few more polls: nothing may come back
            for (int i = 0; i < 5; i++)
                for (ConsumerRecord<String, String> r : ShareClients.poll(c)) {
                    deliveries
                            .computeIfAbsent(r.value(), k -> new ArrayList<>())
                            .add(r.deliveryCount().orElse((short) -1));
                    c.acknowledge(r, AcknowledgeType.RELEASE);
                }
            c.commitSync();
            assertEquals(List.of((short) 1, (short) 2, (short) 3), deliveries.get("v0"), "released until the limit");
            assertEquals(List.of((short) 1), deliveries.get("v1"), "rejected once");
            assertEquals(List.of((short) 1), deliveries.get("v2"), "accepted once");
        }
    }

    @Test
    void acknowledgedStateSurvivesARestart() throws Exception {
        broker.requireEmbedded("restarts the broker");
        String topic = BrokerFixture.uniqueTopic("durable");
        String group = "durable-" + topic;
        broker.createTopic(topic, 1);
        ShareClients.produce(broker.bootstrap(), topic, 0, 10, "d");
        Set<String> accepted = new HashSet<>();
        try (var c = ShareClients.consumer(broker.bootstrap(), group, true)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (accepted.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : ShareClients.poll(c)) {
                    // the even ones are done, the odd ones go back
                    boolean even = Integer.parseInt(r.value().substring(1)) % 2 == 0;
                    c.acknowledge(r, even ? AcknowledgeType.ACCEPT : AcknowledgeType.RELEASE);
                    if (even) accepted.add(r.value());
                }
                c.commitSync();
            }
        }
        assertEquals(Set.of("d0", "d2", "d4", "d6", "d8"), accepted);
        broker.restart();
        Map<String, Short> after = new HashMap<>();
        try (var c = ShareClients.consumer(broker.bootstrap(), group, true)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (after.size() < 5 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : ShareClients.poll(c)) {
                    after.put(r.value(), r.deliveryCount().orElse((short) -1));
                    c.acknowledge(r, AcknowledgeType.ACCEPT);
                }
                c.commitSync();
            }
        }
        assertEquals(Set.of("d1", "d3", "d5", "d7", "d9"), after.keySet(), "only the released records come back");
        // at least their second delivery: the counts were kept (the consumer's prefetch before its close may
        // have acquired and released them once more)
        after.values().forEach(n -> assertTrue(n >= 2, "delivery count " + n + " kept across the restart"));
    }

    @Test
    void adminMovesTheStartOffsetOfAGroupWithoutMembers() throws Exception {
        String topic = BrokerFixture.uniqueTopic("moved");
        String group = "moved-" + topic;
        broker.createTopic(topic, 1);
        ShareClients.produce(broker.bootstrap(), topic, 0, 10, "m");
        List<String> first = consumeAll(group, topic, 10);
        assertEquals(10, first.size());
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = ShareClients.admin(broker.bootstrap())) {
            assertEquals(
                    10,
                    admin.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                            .partitionsToOffsetAndMetadata(group)
                            .get()
                            .get(tp)
                            .offset());
            admin.alterShareGroupOffsets(group, Map.of(tp, 3L)).all().get();
            assertEquals(
                    3,
                    admin.listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
                            .partitionsToOffsetAndMetadata(group)
                            .get()
                            .get(tp)
                            .offset());
        }
        assertEquals(List.of("m3", "m4", "m5", "m6", "m7", "m8", "m9"), consumeAll(group, topic, 7));
    }

    /** Accepts records of the group until {@code count} arrived; their values in offset order. */
    private static List<String> consumeAll(String group, String topic, int count) {
        List<String> values = new ArrayList<>();
        try (var c = ShareClients.consumer(broker.bootstrap(), group, true)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : ShareClients.poll(c)) {
                    values.add(r.value());
                    c.acknowledge(r, AcknowledgeType.ACCEPT);
                }
                c.commitSync();
            }
        }
        return values;
    }
}
