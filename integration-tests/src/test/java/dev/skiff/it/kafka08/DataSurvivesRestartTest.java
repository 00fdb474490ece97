package dev.skiff.it.kafka08;

import dev.skiff.it.BrokerFixture;
import java.util.ArrayList;
import java.util.List;
import kafka.javaapi.producer.Producer;
import kafka.producer.KeyedMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Messages and offsets outlive a broker restart on the same data dir and port: after the restart a 0.8 consumer
 * reads the same messages at the same offsets, and new messages continue the offsets (Skiff only).
 */
class DataSurvivesRestartTest {
    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    private static final int PARTITIONS = 3;

    @Test
    void messagesAndOffsetsSurviveRestart() {
        broker.requireEmbedded("restarts the broker");
        String topic = BrokerFixture.uniqueTopic("restart");
        Kafka08.createTopic(broker, topic, PARTITIONS);
        List<KeyedMessage<String, String>> sent = new ArrayList<>(Kafka08.messages(topic, "before", 45));
        List<KeyedMessage<String, String>> compressed = Kafka08.messages(topic, "before-gzip", 30);
        produce(sent, "none");
        produce(compressed, "gzip");
        sent.addAll(compressed);
        Kafka08.assertTopicHolds(broker, topic, PARTITIONS, sent);

        broker.restart();

        Kafka08.awaitLeaders(broker, topic, PARTITIONS);
        Kafka08.assertTopicHolds(broker, topic, PARTITIONS, sent);

        List<KeyedMessage<String, String>> after = Kafka08.messages(topic, "after", 30);
        produce(after, "none");
        sent.addAll(after);
        Kafka08.assertTopicHolds(broker, topic, PARTITIONS, sent);
    }

    private static void produce(List<KeyedMessage<String, String>> messages, String codec) {
        Producer<String, String> producer = Kafka08.producer(
                broker,
                Kafka08.settings(
                        "producer.type", "sync",
                        "request.required.acks", "1",
                        "compression.codec", codec,
                        "message.send.max.retries", "0"));
        try {
            producer.send(messages);
        } finally {
            producer.close();
        }
    }
}
