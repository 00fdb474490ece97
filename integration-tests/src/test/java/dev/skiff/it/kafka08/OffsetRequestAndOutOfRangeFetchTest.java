package dev.skiff.it.kafka08;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.BrokerFixture;
import java.util.List;
import kafka.common.ErrorMapping;
import kafka.javaapi.FetchResponse;
import kafka.javaapi.consumer.SimpleConsumer;
import kafka.javaapi.producer.Producer;
import kafka.producer.KeyedMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The edges of a partition as a 0.8 consumer sees them: the latest offset is the number of messages, a fetch past
 * it answers OffsetOutOfRange (the tutorial then resets to the latest offset), and an OffsetRequest for several
 * offsets answers as the 0.8 broker does: offsets in descending order, the latest first, ending at the earliest.
 */
class OffsetRequestAndOutOfRangeFetchTest {
    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    private static final int PARTITIONS = 3;
    private static final long LATEST = kafka.api.OffsetRequest.LatestTime();
    private static final long EARLIEST = kafka.api.OffsetRequest.EarliestTime();

    private static String topic;
    /** Messages in partition 0 and 1; partition 2 stays empty. */
    private static final int IN_P0 = 7;

    private static final int IN_P1 = 4;

    @BeforeAll
    static void produce() {
        topic = BrokerFixture.uniqueTopic("offsets");
        Kafka08.createTopic(broker, topic, PARTITIONS);
        Producer<String, String> producer = Kafka08.producer(
                broker,
                Kafka08.settings(
                        "producer.type", "sync", "request.required.acks", "1", "message.send.max.retries", "0"));
        try {
            for (int i = 0; i < IN_P0; i++) {
                producer.send(new KeyedMessage<>(topic, "10.0.0.3", "p0-" + i));
            }
            for (int i = 0; i < IN_P1; i++) {
                producer.send(new KeyedMessage<>(topic, "10.0.0.4", "p1-" + i));
            }
        } finally {
            producer.close();
        }
    }

    @Test
    void latestOffsetIsTheMessageCount() {
        int[] expected = {IN_P0, IN_P1, 0};
        for (int p = 0; p < PARTITIONS; p++) {
            SimpleConsumer consumer = Kafka08.leaderConsumer(broker, topic, p, "Client_" + topic + "_" + p);
            try {
                assertEquals(expected[p], Kafka08.latest(consumer, topic, p), "latest offset of partition " + p);
                assertEquals(0, Kafka08.earliest(consumer, topic, p), "earliest offset of partition " + p);
            } finally {
                consumer.close();
            }
        }
    }

    @Test
    void fetchBeyondTheEndAnswersOffsetOutOfRange() {
        SimpleConsumer consumer = Kafka08.leaderConsumer(broker, topic, 0, "Client_" + topic + "_0");
        try {
            for (long offset : new long[] {IN_P0 + 1, IN_P0 + 1000, Long.MAX_VALUE / 2}) {
                FetchResponse response = Kafka08.fetch(consumer, topic, 0, offset);
                assertTrue(
                        response.hasError(),
                        "fetch at " + offset + " of a partition ending at " + IN_P0 + " has an error");
                assertEquals(
                        ErrorMapping.OffsetOutOfRangeCode(),
                        response.errorCode(topic, 0),
                        "error code of a fetch at " + offset);
            }
            // what the tutorial does next: reset to the latest offset, from where a fetch is empty and fine
            long reset = Kafka08.latest(consumer, topic, 0);
            FetchResponse atEnd = Kafka08.fetch(consumer, topic, 0, reset);
            assertEquals(ErrorMapping.NoError(), atEnd.errorCode(topic, 0), "fetch at the latest offset");
            assertEquals(0, atEnd.messageSet(topic, 0).validBytes(), "bytes at the latest offset");
            // and from a valid offset in the middle the rest is read
            List<Kafka08.Read> tail = Kafka08.readFrom(consumer, topic, 0, 5, IN_P0 - 5);
            assertEquals(
                    List.of(5L, 6L), tail.stream().map(Kafka08.Read::offset).toList(), "offsets read from 5");
            assertEquals("p0-5", tail.get(0).value());
        } finally {
            consumer.close();
        }
    }

    @Test
    void severalOffsetsComeLatestFirst() {
        SimpleConsumer consumer = Kafka08.leaderConsumer(broker, topic, 0, "Client_" + topic + "_0");
        try {
            // one log segment: the 0.8 broker answers the log end offset, then the segment's base offset
            assertArrayEquals(
                    new long[] {IN_P0, 0},
                    Kafka08.offsets(consumer, topic, 0, LATEST, 10),
                    "LatestTime with maxNumOffsets 10");
            assertArrayEquals(
                    new long[] {IN_P0, 0},
                    Kafka08.offsets(consumer, topic, 0, LATEST, 2),
                    "LatestTime with maxNumOffsets 2");
            assertArrayEquals(
                    new long[] {IN_P0},
                    Kafka08.offsets(consumer, topic, 0, LATEST, 1),
                    "LatestTime with maxNumOffsets 1");
            assertArrayEquals(
                    new long[] {0},
                    Kafka08.offsets(consumer, topic, 0, EARLIEST, 10),
                    "EarliestTime with maxNumOffsets 10");
        } finally {
            consumer.close();
        }
        SimpleConsumer empty = Kafka08.leaderConsumer(broker, topic, 2, "Client_" + topic + "_2");
        try {
            assertArrayEquals(
                    new long[] {0},
                    Kafka08.offsets(empty, topic, 2, LATEST, 10),
                    "LatestTime with maxNumOffsets 10 of an empty partition");
            assertArrayEquals(
                    new long[] {0},
                    Kafka08.offsets(empty, topic, 2, EARLIEST, 10),
                    "EarliestTime with maxNumOffsets 10 of an empty partition");
        } finally {
            empty.close();
        }
    }
}
