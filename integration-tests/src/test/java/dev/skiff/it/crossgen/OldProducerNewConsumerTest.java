package dev.skiff.it.crossgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.BrokerFixture;
import dev.skiff.it.kafka08.Kafka08;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import kafka.javaapi.producer.Producer;
import kafka.producer.KeyedMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the Kafka 0.8.1.1 producer writes (legacy message sets, plain or compressed, up-converted by Skiff on
 * produce) a kafka-clients 4.x consumer reads back: same keys, same values, same order in every partition.
 */
class OldProducerNewConsumerTest {

    private static final int PARTITIONS = 3;
    private static final int MESSAGES = 300;

    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    @ParameterizedTest(name = "compression.codec={0}")
    @ValueSource(strings = {"none", "gzip", "snappy"})
    void readBackByTheNewConsumer(String codec) {
        String topic = BrokerFixture.uniqueTopic("old-to-new-" + codec);
        Kafka08.createTopic(broker, topic, PARTITIONS);
        List<KeyedMessage<String, String>> sent = Kafka08.messages(topic, codec, MESSAGES);
        Producer<String, String> producer = Kafka08.producer(
                broker,
                Kafka08.settings(
                        "compression.codec",
                        codec,
                        "request.required.acks",
                        "1",
                        "producer.type",
                        "sync",
                        "batch.num.messages",
                        "50"));
        try {
            // a list is sent as one request per broker, so compressed sets of several messages are written
            for (int i = 0; i < sent.size(); i += 50) producer.send(sent.subList(i, Math.min(sent.size(), i + 50)));
        } finally {
            producer.close();
        }

        List<ConsumerRecord<String, String>> read = readAll(topic, MESSAGES);
        for (int p = 0; p < PARTITIONS; p++) {
            List<KeyedMessage<String, String>> expected = Kafka08.inPartition(sent, p, PARTITIONS);
            List<String> want = new ArrayList<>();
            for (KeyedMessage<String, String> m : expected) want.add(m.key() + "=" + m.message());
            List<String> got = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            for (ConsumerRecord<String, String> r : read) {
                if (r.partition() == p) {
                    got.add(r.key() + "=" + r.value());
                    offsets.add(r.offset());
                }
            }
            assertEquals(want, got, "keys and values of partition " + p + " in order");
            for (int i = 0; i < offsets.size(); i++)
                assertEquals(i, offsets.get(i), "offset " + i + " of partition " + p);
        }
    }

    private static List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrap());
        props.put("enable.auto.commit", "false");
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) tps.add(new TopicPartition(topic, p));
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            c.assign(tps);
            c.seekToBeginning(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() - deadline < 0) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        assertEquals(expected, out.size(), "records read by kafka-clients 4.x from " + topic);
        return out;
    }
}
