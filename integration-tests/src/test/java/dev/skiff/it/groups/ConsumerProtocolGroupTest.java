package dev.skiff.it.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KIP-848 consumer groups with kafka-clients 4.1 and {@code group.protocol=consumer}: a group of three that grows
 * and shrinks while consuming six partitions (every record once, in order), a regular-expression subscription
 * picking up a new topic, and the group surviving a restart.
 */
class ConsumerProtocolGroupTest {

    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 6;
    private static final int PER_PARTITION = 200;

    static EmbeddedSkiff broker(String topic, int partitions) {
        return EmbeddedSkiff.builder()
                .topic(topic, partitions)
                .property("group.consumer.heartbeat.interval.ms", "200")
                // no test here waits for a session to end; a restart on a loaded machine must not outlast one
                .property("group.consumer.session.timeout.ms", "20000")
                .start();
    }

    static Properties props(EmbeddedSkiff broker, String group) {
        Properties p = GroupClients.consumerProps(broker, group);
        p.remove(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        p.remove(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        return p;
    }

    /** One consumer and what it processed but has not committed yet; commits what it gives up. */
    static final class Member implements ConsumerRebalanceListener {
        final KafkaConsumer<String, String> consumer;
        final Map<TopicPartition, Long> processed = new HashMap<>();
        final Map<Integer, List<Long>> seen;
        int assignments;

        Member(Properties props, Map<Integer, List<Long>> seen) {
            this.seen = seen;
            props.putIfAbsent("max.poll.records", "1"); // slow enough for the group to change meanwhile
            consumer = new KafkaConsumer<>(props);
            consumer.subscribe(List.of(TOPIC), this);
        }

        void poll() {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(20))) {
                seen.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.offset());
                assertEquals(r.partition() + "-" + r.offset(), r.value());
                processed.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            for (TopicPartition tp : partitions) {
                Long next = processed.remove(tp);
                if (next != null) commit.put(tp, new OffsetAndMetadata(next));
            }
            if (!commit.isEmpty()) consumer.commitSync(commit);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) assignments++;
        }
    }

    /** Polls the condition (which polls consumers) until it holds, failing at the deadline. */
    static void waitFor(Duration timeout, java.util.function.BooleanSupplier condition) {
        dev.skiff.it.Poll.until(timeout, "the group to get there", condition::getAsBoolean, done -> done);
    }

    static int total(Map<Integer, List<Long>> seen) {
        return seen.values().stream().mapToInt(List::size).sum();
    }

    static void assertEveryRecordOnceInOrder(Map<Integer, List<Long>> seen) {
        for (int p = 0; p < PARTITIONS; p++) {
            List<Long> expected =
                    IntStream.range(0, PER_PARTITION).mapToObj(i -> (long) i).toList();
            assertEquals(expected, seen.get(p), "partition " + p);
        }
    }

    @Test
    @Timeout(60)
    void aGroupThatGrowsAndShrinksConsumesEveryRecordOnceInOrder() throws Exception {
        try (EmbeddedSkiff broker = broker(TOPIC, PARTITIONS)) {
            GroupClients.produce(broker, TOPIC, PARTITIONS, PER_PARTITION, 1_000_000);
            Map<Integer, List<Long>> seen = new ConcurrentHashMap<>();
            List<Member> members = new ArrayList<>();
            for (int i = 0; i < 3; i++) members.add(new Member(props(broker, "kip848"), seen));
            boolean joined = false, left = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(50).toNanos();
            while (total(seen) < PARTITIONS * PER_PARTITION) {
                assertTrue(System.nanoTime() < deadline, "consumed only " + total(seen));
                for (Member m : members) m.poll();
                int n = total(seen);
                if (!joined && n >= 300) {
                    members.add(new Member(props(broker, "kip848"), seen));
                    joined = true;
                } else if (joined && !left && n >= 700 && members.get(3).assignments > 0) {
                    Member leaving = members.remove(1);
                    leaving.consumer.close(); // revokes (and so commits) its partitions, then leaves
                    left = true;
                }
            }
            assertTrue(joined && left, "the group should have grown and shrunk while consuming");
            assertEveryRecordOnceInOrder(seen);
            try (Admin admin = GroupClients.admin(broker)) {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("kip848"))
                        .all()
                        .get()
                        .get("kip848");
                assertEquals(GroupType.CONSUMER, d.type());
                assertEquals(3, d.members().size());
                GroupListing listed = admin.listGroups().all().get().stream()
                        .filter(g -> g.groupId().equals("kip848"))
                        .findFirst()
                        .orElseThrow();
                assertEquals(GroupType.CONSUMER, listed.type().orElseThrow());
            }
            for (Member m : members) {
                try {
                    m.consumer.close();
                } catch (org.apache.kafka.common.KafkaException e) {
                    // The member before it left, so this one's epoch moved on; its closing commit of what it
                    // had already committed can meet STALE_MEMBER_EPOCH (as with Kafka). Everything was
                    // consumed and checked above.
                    if (!(e.getCause() instanceof org.apache.kafka.clients.consumer.CommitFailedException)) throw e;
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void aRegexSubscriptionPicksUpANewTopic() throws Exception {
        try (EmbeddedSkiff broker = broker("metrics-a", 2)) {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props(broker, "regex"))) {
                consumer.subscribe(new SubscriptionPattern("metrics-.*"));
                waitFor(Duration.ofSeconds(20), () -> {
                    consumer.poll(Duration.ofMillis(50));
                    return consumer.assignment().size() == 2;
                });
                broker.createTopic("metrics-b", 3);
                broker.createTopic("other", 1);
                // the broker resolves a regex again at most every 10 s
                waitFor(Duration.ofSeconds(40), () -> {
                    consumer.poll(Duration.ofMillis(50));
                    return consumer.assignment().size() == 5;
                });
                Set<String> topics = new java.util.HashSet<>();
                consumer.assignment().forEach(tp -> topics.add(tp.topic()));
                assertEquals(Set.of("metrics-a", "metrics-b"), topics);
            }
        }
    }

    @Test
    @Timeout(60)
    void theGroupAndItsOffsetsSurviveARestart() throws Exception {
        try (EmbeddedSkiff broker = broker(TOPIC, PARTITIONS)) {
            GroupClients.produce(broker, TOPIC, PARTITIONS, 10, 1_000_000);
            Map<Integer, List<Long>> seen = new ConcurrentHashMap<>();
            int epoch;
            try (Admin admin = GroupClients.admin(broker)) {
                Member m = new Member(props(broker, "durable"), seen);
                waitFor(Duration.ofSeconds(20), () -> {
                    m.poll();
                    return total(seen) == PARTITIONS * 10;
                });
                m.consumer.commitSync();
                epoch = admin.describeConsumerGroups(List.of("durable"))
                        .all()
                        .get()
                        .get("durable")
                        .groupEpoch()
                        .orElseThrow();
                broker.restart();
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("durable"))
                        .all()
                        .get()
                        .get("durable");
                assertEquals(epoch, d.groupEpoch().orElseThrow(), "the group's epoch is kept");
                assertEquals(1, d.members().size(), "its member is kept until its session ends");
                // The member reads its offsets back from the restarted broker: this also waits until it has found
                // its coordinator again. A KIP-848 consumer stops looking for its coordinator once close() begins,
                // so a close that starts before then leaves the commit of its revocation callback unsent until
                // default.api.timeout.ms (60 s) runs out.
                Set<TopicPartition> all = IntStream.range(0, PARTITIONS)
                        .mapToObj(p -> new TopicPartition(TOPIC, p))
                        .collect(Collectors.toSet());
                Map<TopicPartition, OffsetAndMetadata> committed = dev.skiff.it.Poll.until(
                        Duration.ofSeconds(30),
                        "the member's committed offsets after the restart",
                        () -> m.consumer.committed(all, Duration.ofSeconds(5)),
                        c -> c != null);
                for (TopicPartition tp : all) {
                    OffsetAndMetadata o = committed.get(tp);
                    assertEquals(10, o == null ? -1 : o.offset(), tp + " committed before the restart");
                }
                m.consumer.close();
                // the offsets committed before the restart are where a new member starts
                Member next = new Member(props(broker, "durable"), new ConcurrentHashMap<>());
                waitFor(Duration.ofSeconds(30), () -> {
                    next.poll();
                    return next.consumer.assignment().size() == PARTITIONS;
                });
                for (TopicPartition tp : next.consumer.assignment())
                    assertEquals(10, next.consumer.position(tp), tp.toString());
                next.consumer.close();
            }
        }
    }
}
