package dev.skiff.it.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * While a transaction holds offsets for a group, a read_committed consumer (which asks OffsetFetch for stable
 * offsets) must not see the group's old offset as if it were final; and DescribeProducers shows where the
 * producer's open transaction starts.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PendingTransactionalOffsetsTest {

    @Test
    void stableOffsetsWaitForTheTransactionAndDescribeProducersShowsItsStart() throws Exception {
        try (EmbeddedSkiff broker =
                        EmbeddedSkiff.builder().topic("in", 1).topic("out", 1).start();
                KafkaProducer<String, String> p =
                        TxnClients.transactionalProducer(broker.bootstrapServers(), "t-pending", 60_000);
                Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            TopicPartition in = new TopicPartition("in", 0);
            TopicPartition out = new TopicPartition("out", 0);
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("out", "k", "v1")).get();
            p.send(new ProducerRecord<>("out", "k", "v2")).get();
            p.sendOffsetsToTransaction(Map.of(in, new OffsetAndMetadata(7)), new ConsumerGroupMetadata("g-pending"));

            ProducerState state = admin.describeProducers(Set.of(out))
                    .partitionResult(out)
                    .get()
                    .activeProducers()
                    .get(0);
            assertEquals(0L, state.currentTransactionStartOffset().orElse(-1L));

            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(
                    Map.of(
                            "bootstrap.servers",
                            broker.bootstrapServers(),
                            "group.id",
                            "g-pending",
                            "isolation.level",
                            "read_committed"),
                    new StringDeserializer(),
                    new StringDeserializer())) {
                // the client retries UNSTABLE_OFFSET_COMMIT until its timeout
                assertThrows(TimeoutException.class, () -> c.committed(Set.of(in), Duration.ofMillis(1500)));
                p.commitTransaction();
                Poll.until(
                        Duration.ofSeconds(10),
                        "offset 7 visible after the commit",
                        () -> c.committed(Set.of(in), Duration.ofSeconds(2)).get(in),
                        o -> o != null && o.offset() == 7);
            }
            assertEquals(
                    true,
                    admin.describeProducers(Set.of(out))
                            .partitionResult(out)
                            .get()
                            .activeProducers()
                            .get(0)
                            .currentTransactionStartOffset()
                            .isEmpty());
        }
    }
}
