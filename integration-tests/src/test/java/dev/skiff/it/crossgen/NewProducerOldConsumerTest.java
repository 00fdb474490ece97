package dev.skiff.it.crossgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.it.BrokerFixture;
import dev.skiff.it.kafka08.Kafka08;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.javaapi.consumer.SimpleConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a kafka-clients 4.x producer writes (idempotent record batches v2 with headers, every codec) the Kafka
 * 0.8.1.1 SimpleConsumer reads through Fetch v0: Skiff down-converts to magic 0, which has no headers and no
 * lz4/zstd, so the values and keys must arrive intact at offsets 0, 1, 2, ...
 */
class NewProducerOldConsumerTest {

    private static final int RECORDS = 200;

    @RegisterExtension
    static final BrokerFixture broker = new BrokerFixture();

    @ParameterizedTest(name = "compression.type={0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void readByTheOldSimpleConsumer(String codec) throws Exception {
        broker.requireEmbedded("kafka-clients 4.x cannot produce to a 0.8 broker");
        String topic = BrokerFixture.uniqueTopic("new-to-old-" + codec);
        broker.createTopic(topic, 1);
        Properties props = new Properties();
        props.put("bootstrap.servers", broker.bootstrap());
        props.put("compression.type", codec);
        props.put("linger.ms", "20");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                headers.add("codec", codec.getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(topic, 0, i % 7 == 0 ? null : "key-" + i, value(i), headers));
            }
            producer.flush();
            producer.send(new ProducerRecord<>(topic, 0, "last", "last")).get(30, TimeUnit.SECONDS);
        }

        SimpleConsumer consumer = Kafka08.consumer(broker.host(), broker.port(), "crossgen-" + codec);
        try {
            List<Kafka08.Read> read = Kafka08.readFrom(consumer, topic, 0, 0, RECORDS + 1);
            assertEquals(RECORDS + 1, read.size());
            for (int i = 0; i < RECORDS; i++) {
                Kafka08.Read r = read.get(i);
                assertEquals(i, r.offset(), "offset of record " + i);
                assertEquals(i % 7 == 0 ? null : "key-" + i, r.key(), "key of record " + i);
                assertEquals(value(i), r.value(), "value of record " + i);
            }
            assertEquals("last", read.get(RECORDS).value());
        } finally {
            consumer.close();
        }
    }

    /** Values long and repetitive enough that every codec really compresses them. */
    private static String value(int i) {
        return "value " + i + " " + "abcdefghij".repeat(1 + i % 5);
    }
}
