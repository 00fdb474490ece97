package dev.skiff.it.kafka08;

import dev.skiff.it.BrokerFixture;
import java.util.List;
import kafka.javaapi.producer.Producer;
import kafka.producer.KeyedMessage;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tutorial's ASyncProduce: producer.type=async batches messages in a queue and sends them from a background
 * thread (with acks 0, its default, the broker sends no answer at all). Everything queued is sent by close(),
 * and all of it is then read back in order.
 */
class AsyncProducerDeliversEverythingOnCloseTest {
    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    private static final int PARTITIONS = 3;

    @ParameterizedTest(name = "request.required.acks={0}")
    @ValueSource(strings = {"0", "1"})
    void everyQueuedMessageIsReadBackAfterClose(String acks) {
        String topic = BrokerFixture.uniqueTopic("async-acks" + acks);
        Kafka08.createTopic(broker, topic, PARTITIONS);
        List<KeyedMessage<String, String>> sent = Kafka08.messages(topic, "async", 500);

        Producer<String, String> producer = Kafka08.producer(
                broker,
                Kafka08.settings(
                        "producer.type", "async",
                        "request.required.acks", acks,
                        "batch.num.messages", "40",
                        "queue.buffering.max.ms", "100"));
        try {
            for (KeyedMessage<String, String> message : sent) {
                producer.send(message);
            }
        } finally {
            producer.close();
        }

        Kafka08.assertTopicHolds(broker, topic, PARTITIONS, sent);
    }
}
