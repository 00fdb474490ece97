package dev.skiff.it.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.BrokerFixture;
import dev.skiff.it.kafka08.Kafka08;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import kafka.javaapi.consumer.SimpleConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Produce with acks 0 (what the tutorial's ASyncProduce sends) gets no answer at all: the 0.8 producer never reads
 * one, so an answer would sit unread in its socket. On one connection, Produce acks=0 followed by Metadata must
 * answer the Metadata first and only; the message is appended all the same.
 */
class ProduceWithoutAcksGetsNoAnswerTest {
    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    @Test
    void produceWithAcksZeroIsAppendedWithoutAnAnswer() throws IOException {
        String topic = BrokerFixture.uniqueTopic("wire-acks0");
        Kafka08.createTopic(broker, topic, 3);
        try (RawConnection client = new RawConnection(broker.host(), broker.port())) {
            byte[] messages = Wire.writer()
                    .raw(Wire.messageV0(0, null, "one".getBytes(StandardCharsets.UTF_8), false))
                    .raw(Wire.messageV0(0, null, "two".getBytes(StandardCharsets.UTF_8), false))
                    .toByteArray();
            client.send(Wire.produceV0(1, (short) 0, 10_000, topic, 0, messages));
            client.send(Wire.metadataV0(2));
            RawConnection.Answer first = client.readAnswer();
            assertEquals(2, first.correlationId(), "the first answer on the connection is the Metadata one");
        }
        SimpleConsumer consumer = Kafka08.leaderConsumer(broker, topic, 0, "wire-acks0");
        try {
            assertEquals(2, Kafka08.latest(consumer, topic, 0), "both messages appended");
            List<Kafka08.Read> read = Kafka08.readFrom(consumer, topic, 0, 0, 2);
            assertEquals("one", read.get(0).value());
            assertEquals("two", read.get(1).value());
        } finally {
            consumer.close();
        }
    }
}
