package dev.skiff.it.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Committed offsets of a group survive a broker restart; seekToBeginning and offsetsForTimes move a member. */
class CommittedOffsetsTest {

    private static final String TOPIC = "events";
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 20;
    private static final long BASE_TS = 1_700_000_000_000L;

    /** Polls until the consumer has an assignment (the group is formed). */
    private static Set<TopicPartition> awaitAssignment(
            KafkaConsumer<String, String> c, Map<TopicPartition, Long> next) {
        return Poll.until(
                Duration.ofSeconds(20),
                "an assignment",
                () -> {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50)))
                        next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                    return c.assignment();
                },
                a -> !a.isEmpty());
    }

    @Test
    @Timeout(30)
    void committedOffsetsAndTheGenerationAreKnownAfterARestart() throws Exception {
        try (EmbeddedSkiff broker = GroupClients.broker(TOPIC, PARTITIONS)) {
            GroupClients.produce(broker, TOPIC, PARTITIONS, PER_PARTITION, BASE_TS);
            Map<TopicPartition, Long> next = new HashMap<>();
            int generationBefore;
            var props = GroupClients.consumerProps(broker, "resume");
            props.put("max.poll.records", "4");
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
                c.subscribe(List.of(TOPIC));
                awaitAssignment(c, next);
                Poll.until(
                        "half of the records",
                        () -> {
                            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50)))
                                next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                            return next.values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum();
                        },
                        n -> n >= PARTITIONS * PER_PARTITION / 2);
                Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                next.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
                c.commitSync(commit);
                generationBefore = c.groupMetadata().generationId();
            }
            broker.restart();

            try (KafkaConsumer<String, String> c = GroupClients.consumer(broker, "resume")) {
                c.subscribe(List.of(TOPIC));
                Map<TopicPartition, Long> first = new HashMap<>();
                Set<Long> seen = new HashSet<>();
                int expected = PARTITIONS * PER_PARTITION
                        - (int) next.values().stream()
                                .mapToLong(Long::longValue)
                                .sum();
                Poll.until(
                        "the records after the committed offsets",
                        () -> {
                            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50))) {
                                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                                first.putIfAbsent(tp, r.offset());
                                assertTrue(seen.add(r.partition() * 1000L + r.offset()), "consumed twice: " + r);
                            }
                            return seen.size();
                        },
                        n -> n >= expected);
                for (TopicPartition tp : first.keySet())
                    assertEquals(next.getOrDefault(tp, 0L), first.get(tp), "first offset read from " + tp);
                assertEquals(
                        next.get(new TopicPartition(TOPIC, 0)),
                        c.committed(Set.of(new TopicPartition(TOPIC, 0)))
                                .get(new TopicPartition(TOPIC, 0))
                                .offset());
                assertTrue(
                        c.groupMetadata().generationId() > generationBefore,
                        "generation continues after " + generationBefore + ": "
                                + c.groupMetadata().generationId());
            }
        }
    }

    @Test
    @Timeout(30)
    void seekToBeginningAndOffsetsForTimes() throws Exception {
        try (EmbeddedSkiff broker = GroupClients.broker(TOPIC, PARTITIONS);
                KafkaConsumer<String, String> c = GroupClients.consumer(broker, "seeker")) {
            GroupClients.produce(broker, TOPIC, PARTITIONS, PER_PARTITION, BASE_TS);
            c.subscribe(List.of(TOPIC));
            Map<TopicPartition, Long> next = new HashMap<>();
            awaitAssignment(c, next);
            Poll.until(
                    "everything",
                    () -> {
                        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50)))
                            next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                        return next.values().stream().mapToLong(Long::longValue).sum();
                    },
                    n -> n == PARTITIONS * PER_PARTITION);
            c.commitSync();

            TopicPartition p1 = new TopicPartition(TOPIC, 1);
            Map<TopicPartition, OffsetAndTimestamp> at = c.offsetsForTimes(Map.of(p1, BASE_TS + 10));
            assertEquals(10, at.get(p1).offset());
            assertEquals(BASE_TS + 10, at.get(p1).timestamp());

            c.seekToBeginning(c.assignment());
            Map<Integer, Long> firstAgain = new HashMap<>();
            Poll.until(
                    "records from the beginning again",
                    () -> {
                        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50)))
                            firstAgain.putIfAbsent(r.partition(), r.offset());
                        return firstAgain.size();
                    },
                    n -> n == PARTITIONS);
            firstAgain.values().forEach(o -> assertEquals(0L, o));
            assertEquals(PER_PARTITION, c.committed(Set.of(p1)).get(p1).offset(), "seeking does not commit");
        }
    }
}
