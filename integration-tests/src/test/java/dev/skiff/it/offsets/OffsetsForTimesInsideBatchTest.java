package dev.skiff.it.offsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.server.EmbeddedSkiff;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Kafka answers a timestamp lookup with the exact record, not the batch that holds it: ten records with
 * increasing timestamps sent as one batch must each be found at their own offset.
 */
class OffsetsForTimesInsideBatchTest {

    private static final long BASE = 1_700_000_000_000L;

    @Test
    void timestampLookupsFindTheRecordInsideABatch() throws Exception {
        try (EmbeddedSkiff broker =
                EmbeddedSkiff.builder().inMemory().topic("times", 1).start()) {
            Properties p = new Properties();
            p.put("bootstrap.servers", broker.bootstrapServers());
            p.put("linger.ms", "60000"); // everything below goes out as one batch, on flush
            p.put("batch.size", "1000000");
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                // the largest timestamp sits in the middle, so the max-timestamp lookup must search the batch
                long[] times = {0, 10, 20, 30, 90, 40, 50, 60, 70, 80};
                for (int i = 0; i < times.length; i++) {
                    producer.send(new ProducerRecord<>("times", 0, BASE + times[i], "k" + i, "v" + i));
                }
                producer.flush();
            }
            TopicPartition tp = new TopicPartition("times", 0);
            Properties c = new Properties();
            c.put("bootstrap.servers", broker.bootstrapServers());
            try (KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
                OffsetAndTimestamp at30 =
                        consumer.offsetsForTimes(Map.of(tp, BASE + 30)).get(tp);
                assertEquals(3, at30.offset());
                assertEquals(BASE + 30, at30.timestamp());
                OffsetAndTimestamp at35 =
                        consumer.offsetsForTimes(Map.of(tp, BASE + 35)).get(tp);
                assertEquals(4, at35.offset(), "first record at or after the time, in offset order");
                assertEquals(BASE + 90, at35.timestamp());
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                ListOffsetsResult.ListOffsetsResultInfo max = admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp()))
                        .partitionResult(tp)
                        .get();
                assertEquals(4, max.offset());
                assertEquals(BASE + 90, max.timestamp());
            }
        }
    }
}
