package dev.skiff.it.kafka08;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.BrokerFixture;
import java.util.ArrayList;
import java.util.List;
import kafka.javaapi.consumer.SimpleConsumer;
import kafka.javaapi.producer.Producer;
import kafka.producer.KeyedMessage;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * compression.codec=gzip / snappy: the 0.8 producer wraps each partition's messages of one send in a single
 * compressed message (magic 0, inner offsets 0..n-1); the broker must give them offsets of their own, and a 0.8
 * consumer must read back every inner message intact at dense offsets, also across several batches. Snappy runs
 * with the snappy-java the build manages, not the 1.0.5 the 0.8 client was built with.
 */
class CompressedProducerBatchesTest {
    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    private static final int PARTITIONS = 3;

    @ParameterizedTest(name = "compression.codec={0}")
    @ValueSource(strings = {"gzip", "snappy"})
    void compressedBatchesReadBackIntactAtDenseOffsets(String codec) {
        String topic = BrokerFixture.uniqueTopic("compressed-" + codec);
        Kafka08.createTopic(broker, topic, PARTITIONS);
        List<KeyedMessage<String, String>> sent = new ArrayList<>();
        Producer<String, String> producer = Kafka08.producer(
                broker,
                Kafka08.settings(
                        "producer.type", "sync",
                        "request.required.acks", "1",
                        "compression.codec", codec,
                        "message.send.max.retries", "0"));
        try {
            // three sends of 90 messages: each partition gets three compressed wrappers of 30 messages
            for (int batch = 0; batch < 3; batch++) {
                List<KeyedMessage<String, String>> messages = Kafka08.messages(topic, codec + "-b" + batch, 90);
                producer.send(messages);
                sent.addAll(messages);
            }
            // and one alone, a wrapper holding a single message
            KeyedMessage<String, String> single = new KeyedMessage<>(topic, "192.168.2.3", codec + "-single");
            producer.send(single);
            sent.add(single);
        } finally {
            producer.close();
        }

        int[] counts = Kafka08.assertTopicHolds(broker, topic, PARTITIONS, sent);
        assertEquals(91, counts[0], "partition 0 has three batches of 30 and the single message");
        assertTrue(counts[1] == 90 && counts[2] == 90, "partitions 1 and 2 have three batches of 30");

        // a fetch from inside a compressed batch: the consumer skips the batch's messages before the offset asked
        SimpleConsumer consumer = Kafka08.leaderConsumer(broker, topic, 1, "Client_" + topic + "_1");
        try {
            List<Kafka08.Read> tail = Kafka08.readFrom(consumer, topic, 1, 45, 45);
            Kafka08.assertReads(
                    Kafka08.inPartition(sent, 1, PARTITIONS).subList(45, 90), 45, tail, topic + "-1 from offset 45");
        } finally {
            consumer.close();
        }
    }
}
