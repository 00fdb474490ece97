package dev.skiff.it.kafka08;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.skiff.it.BrokerFixture;
import java.util.List;
import kafka.javaapi.producer.Producer;
import kafka.producer.KeyedMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tutorial's SyncProduce and PartitionConsumerTest: a sync producer (acks 1, string encoder, a partitioner that
 * routes by the key's last number) sends one message per request to a 3-partition topic; a SimpleConsumer per
 * partition finds the leader with a TopicMetadataRequest, asks the earliest and latest offsets, and reads every
 * message once, in order, at dense offsets from 0, each in the partition its key chose.
 */
class SyncProducerWithCustomPartitionerTest {
    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    private static final int PARTITIONS = 3;

    @Test
    void everyMessageIsReadOnceInOrderFromThePartitionItsKeyChose() {
        String topic = BrokerFixture.uniqueTopic("sync");
        Kafka08.createTopic(broker, topic, PARTITIONS);
        List<KeyedMessage<String, String>> sent = Kafka08.messages(topic, "sync", 60);

        Producer<String, String> producer = Kafka08.producer(
                broker,
                Kafka08.settings(
                        "producer.type", "sync",
                        "request.required.acks", "1"));
        try {
            for (KeyedMessage<String, String> message : sent) {
                producer.send(message);
            }
        } finally {
            producer.close();
        }

        int[] counts = Kafka08.assertTopicHolds(broker, topic, PARTITIONS, sent);
        assertArrayEquals(new int[] {20, 20, 20}, counts, "messages per partition (keys end in 0..59)");
    }
}
