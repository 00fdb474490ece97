package dev.skiff.it.groups;

import dev.skiff.server.EmbeddedSkiff;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A broker set up for group tests and kafka-clients 4.1 clients pointed at it. */
final class GroupClients {

    static final int SESSION_TIMEOUT_MS = 6000;

    private GroupClients() {}

    static EmbeddedSkiff broker(String topic, int partitions) {
        return EmbeddedSkiff.builder()
                .topic(topic, partitions)
                .property("group.initial.rebalance.delay.ms", "0")
                .property("group.min.session.timeout.ms", "1000")
                .start();
    }

    static Properties consumerProps(EmbeddedSkiff broker, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(SESSION_TIMEOUT_MS));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return p;
    }

    static KafkaConsumer<String, String> consumer(EmbeddedSkiff broker, String group) {
        return new KafkaConsumer<>(consumerProps(broker, group));
    }

    static Admin admin(EmbeddedSkiff broker) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        return Admin.create(p);
    }

    /**
     * Writes {@code perPartition} records "p-i" to each partition, with timestamps base + i, one batch per
     * record (so that a timestamp lookup, which Skiff answers per batch, lands on the record itself).
     */
    static void produce(EmbeddedSkiff broker, String topic, int partitions, int perPartition, long baseTimestamp)
            throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < perPartition; i++)
                for (int part = 0; part < partitions; part++)
                    producer.send(new ProducerRecord<>(topic, part, baseTimestamp + i, null, part + "-" + i))
                            .get();
        }
    }
}
