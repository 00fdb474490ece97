package dev.skiff.it.kafka08;

import dev.skiff.it.BrokerFixture;
import java.util.List;
import kafka.javaapi.producer.Producer;
import kafka.producer.KeyedMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * request.required.acks=-1 (wait for every in-sync replica): a single broker is the whole ISR, so it answers as
 * for acks 1; a broker that rejected or never answered -1 would fail the sync producer's sends.
 */
class AllInSyncReplicasAckTest {
    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    private static final int PARTITIONS = 3;

    @Test
    void syncProducerWithAcksMinusOneDelivers() {
        String topic = BrokerFixture.uniqueTopic("acks-all");
        Kafka08.createTopic(broker, topic, PARTITIONS);
        List<KeyedMessage<String, String>> sent = Kafka08.messages(topic, "all", 30);

        Producer<String, String> producer = Kafka08.producer(
                broker,
                Kafka08.settings(
                        "producer.type", "sync",
                        "request.required.acks", "-1",
                        // no retries: a failed send must fail the test, not be hidden by a second attempt
                        "message.send.max.retries", "0"));
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
