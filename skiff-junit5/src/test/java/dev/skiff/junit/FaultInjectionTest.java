package dev.skiff.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.Errors;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.faults.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Faults injected into a broker's answers, seen through kafka-clients 4.1.1. */
@Skiff(lifecycle = Skiff.Lifecycle.PER_METHOD, topics = "orders:1")
class FaultInjectionTest {

    private static final long TIMEOUT_S = 30;

    @Test
    void notLeaderOnProduceIsRetriedAndTheRecordLandsOnce(EmbeddedSkiff broker) throws Exception {
        Fault fault =
                broker.faults().on(ApiKeys.PRODUCE).topic("orders").times(2).respondWith(Errors.NOT_LEADER_OR_FOLLOWER);
        try (KafkaProducer<String, String> producer = producer(broker)) {
            producer.send(new ProducerRecord<>("orders", "k", "v")).get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        assertEquals(2, fault.timesApplied());
        assertFalse(fault.isActive(), "a fault for 2 requests uninstalls itself after them");
        assertTrue(broker.faults().installed().isEmpty());
        assertEquals(1, broker.recordCount("orders"), "acknowledged once, stored once");
        assertEquals(List.of("v"), consume(broker, 1));
    }

    @Test
    void droppedConnectionIsRecoveredByTheClient(EmbeddedSkiff broker) throws Exception {
        Fault fault = broker.faults().on(ApiKeys.PRODUCE).dropConnection();
        try (KafkaProducer<String, String> producer = producer(broker)) {
            producer.send(new ProducerRecord<>("orders", "k", "after-drop")).get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        assertEquals(1, fault.timesApplied());
        assertEquals(1, broker.awaitRecords("orders", 1, Duration.ofSeconds(TIMEOUT_S)));
        assertEquals(List.of("after-drop"), consume(broker, 1));
    }

    @Test
    void delayedAnswerDelaysTheSend(EmbeddedSkiff broker) throws Exception {
        try (KafkaProducer<String, String> producer = producer(broker)) {
            producer.send(new ProducerRecord<>("orders", "warm", "up")).get(TIMEOUT_S, TimeUnit.SECONDS);
            Fault fault = broker.faults().on(ApiKeys.PRODUCE).delay(Duration.ofMillis(700));
            long start = System.nanoTime();
            producer.send(new ProducerRecord<>("orders", "k", "late")).get(TIMEOUT_S, TimeUnit.SECONDS);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMs >= 700, "the answer came after " + tookMs + " ms");
            assertEquals(1, fault.timesApplied());
        }
        assertEquals(2, broker.recordCount("orders"));
    }

    @Test
    void fetchErrorIsRetriedByTheConsumer(EmbeddedSkiff broker) throws Exception {
        try (KafkaProducer<String, String> producer = producer(broker)) {
            producer.send(new ProducerRecord<>("orders", "k", "v1")).get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        Fault fault = broker.faults()
                .on(ApiKeys.FETCH)
                .partition("orders", 0)
                .times(2)
                .respondWith(Errors.NOT_LEADER_OR_FOLLOWER);
        assertEquals(List.of("v1"), consume(broker, 1));
        assertEquals(2, fault.timesApplied());
    }

    @Test
    void faultUntilRemovedAndFaultOnAnotherTopicDoNotTouchThisOne(EmbeddedSkiff broker) throws Exception {
        broker.createTopic("other", 1);
        Fault elsewhere =
                broker.faults().on(ApiKeys.PRODUCE).topic("other").always().respondWith(Errors.KAFKA_STORAGE_ERROR);
        try (KafkaProducer<String, String> producer = producer(broker)) {
            producer.send(new ProducerRecord<>("orders", "k", "v")).get(TIMEOUT_S, TimeUnit.SECONDS);
            assertEquals(0, elsewhere.timesApplied());
            var pending = producer.send(new ProducerRecord<>("other", "k", "v"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (elsewhere.timesApplied() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(elsewhere.timesApplied() >= 3, "retried while the fault stays");
            elsewhere.remove();
            pending.get(TIMEOUT_S, TimeUnit.SECONDS);
        }
        assertEquals(1, broker.recordCount("other"));
    }

    private static KafkaProducer<String, String> producer(EmbeddedSkiff broker) {
        return new KafkaProducer<>(
                Map.of(
                        "bootstrap.servers", broker.bootstrapServers(),
                        "retry.backoff.ms", "20",
                        "linger.ms", "0"),
                new StringSerializer(),
                new StringSerializer());
    }

    /** Reads {@code count} values from orders-0, or fails after the timeout. */
    private static List<String> consume(EmbeddedSkiff broker, int count) {
        TopicPartition tp = new TopicPartition("orders", 0);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(
                        "bootstrap.servers", broker.bootstrapServers(),
                        "retry.backoff.ms", "20",
                        "auto.offset.reset", "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) values.add(r.value());
            }
        }
        return values;
    }
}
