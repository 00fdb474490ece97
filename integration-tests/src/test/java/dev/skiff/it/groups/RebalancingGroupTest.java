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
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three consumers share six partitions; a fourth joins and one leaves while they consume. A careful app
 * commits in onPartitionsRevoked, so every record is consumed exactly once, in order per partition.
 */
class RebalancingGroupTest {

    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 6;
    private static final int PER_PARTITION = 200;

    /** One consumer and what it processed but has not committed yet. */
    private static final class Member implements ConsumerRebalanceListener {
        final KafkaConsumer<String, String> consumer;
        final Map<TopicPartition, Long> processed = new HashMap<>();
        final Map<Integer, List<Long>> seen;
        int assignments;

        Member(EmbeddedSkiff broker, String group, Map<Integer, List<Long>> seen) {
            this.seen = seen;
            var props = GroupClients.consumerProps(broker, group);
            props.put("max.poll.records", "7");
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
            assignments++;
        }
    }

    private static int total(Map<Integer, List<Long>> seen) {
        return seen.values().stream().mapToInt(List::size).sum();
    }

    @Test
    @Timeout(30)
    void everyRecordIsConsumedOnceAndInOrderAcrossRebalances() throws Exception {
        try (EmbeddedSkiff broker = GroupClients.broker(TOPIC, PARTITIONS)) {
            GroupClients.produce(broker, TOPIC, PARTITIONS, PER_PARTITION, 1_000_000);
            Map<Integer, List<Long>> seen = new ConcurrentHashMap<>();
            List<Member> members = new ArrayList<>();
            for (int i = 0; i < 3; i++) members.add(new Member(broker, "rebalancing", seen));
            boolean joined = false, left = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
            while (total(seen) < PARTITIONS * PER_PARTITION) {
                assertTrue(System.nanoTime() < deadline, "consumed only " + total(seen));
                for (Member m : members) m.poll();
                int n = total(seen);
                if (!joined && n >= 300) {
                    members.add(new Member(broker, "rebalancing", seen));
                    joined = true;
                } else if (joined && !left && n >= 700 && members.get(3).assignments > 0) {
                    Member leaving = members.remove(1);
                    leaving.consumer.close(); // revokes (and so commits) its partitions, then leaves the group
                    left = true;
                }
            }
            assertTrue(joined && left, "the group should have rebalanced twice while consuming");
            for (int p = 0; p < PARTITIONS; p++) {
                List<Long> expected = IntStream.range(0, PER_PARTITION)
                        .mapToObj(i -> (long) i)
                        .toList();
                assertEquals(expected, seen.get(p), "partition " + p);
            }
            for (Member m : members) m.consumer.close();
        }
    }
}
