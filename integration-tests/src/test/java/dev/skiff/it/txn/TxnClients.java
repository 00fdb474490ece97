package dev.skiff.it.txn;

import dev.skiff.it.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Clients and reads shared by the transaction tests. */
final class TxnClients {

    private TxnClients() {}

    static KafkaProducer<String, String> transactionalProducer(
            String bootstrap, String transactionalId, int timeoutMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, timeoutMs);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    static KafkaProducer<String, String> plainProducer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<String, String> consumer(String bootstrap, String isolation, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
            p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 25);
        }
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /**
     * Every record of the topic from the beginning up to the end as the isolation level sees it (the last
     * stable offset for read_committed), waiting until that end stops short of nothing: {@code expected}
     * values, or more.
     */
    static List<String> readAll(String bootstrap, String topic, String isolation, int expected) {
        try (KafkaConsumer<String, String> c = consumer(bootstrap, isolation, null)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .collect(Collectors.toList());
            c.assign(parts);
            c.seekToBeginning(parts);
            List<String> values = new ArrayList<>();
            Poll.until(
                    Duration.ofSeconds(25),
                    expected + " records of " + topic + " (" + isolation + ")",
                    () -> {
                        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) values.add(r.value());
                        return values.size();
                    },
                    n -> n >= expected);
            // and nothing more up to the end the isolation level allows
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            Poll.until(
                    Duration.ofSeconds(10),
                    "position at the end of " + topic,
                    () -> {
                        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) values.add(r.value());
                        Map<TopicPartition, Long> at = new HashMap<>();
                        for (TopicPartition tp : parts) at.put(tp, c.position(tp));
                        return at;
                    },
                    at -> parts.stream().allMatch(tp -> at.get(tp) >= end.get(tp)));
            return values;
        }
    }

    /** Records of the topic a read_committed consumer reads from the beginning up to the last stable offset. */
    static int countCommitted(String bootstrap, String topic) {
        try (KafkaConsumer<String, String> c = consumer(bootstrap, "read_committed", null)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .collect(Collectors.toList());
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            int n = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                n += c.poll(Duration.ofMillis(50)).count();
                boolean atEnd = true;
                for (TopicPartition tp : parts) atEnd &= c.position(tp) >= end.get(tp);
                if (atEnd) break;
            }
            return n;
        }
    }
}
