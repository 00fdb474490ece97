package dev.skiff.it.producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.opentest4j.AssertionFailedError;

/** kafka-clients 4.x producers and consumers as the tests here use them. */
final class Clients {

    private Clients() {}

    /** A producer on kafka-clients' defaults (idempotence on, acks=all) plus the given settings. */
    static KafkaProducer<String, String> producer(String bootstrap, String... keysAndValues) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        for (int i = 0; i < keysAndValues.length; i += 2) p.put(keysAndValues[i], keysAndValues[i + 1]);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Everything in the partitions, from the start, read until {@code expected} records or the deadline. */
    static List<ConsumerRecord<String, String>> readAll(
            String bootstrap, List<TopicPartition> partitions, int expected, Duration timeout) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.assign(partitions);
            c.seekToBeginning(partitions);
            List<ConsumerRecord<String, String>> out = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < expected) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionFailedError("read " + out.size() + " of " + expected + " records in " + timeout);
                }
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // anything beyond what was expected would be a duplicate: give it one more poll to show up
            c.poll(Duration.ofMillis(300)).forEach(out::add);
            return out;
        }
    }
}
