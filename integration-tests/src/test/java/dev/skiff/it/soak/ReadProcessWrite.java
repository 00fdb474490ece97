package dev.skiff.it.soak;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * A read-process-write loop in transactions: consumes "in" (read_committed), produces each value to the same
 * partition of "out", and sends the consumer's offsets with it; on an error it aborts (or replaces a fenced
 * producer) and reads again from the committed offsets. It ends once the committed offsets cover the input.
 */
final class ReadProcessWrite {
    private final String bootstrap;
    private final int partitions;
    private final int count;
    private volatile boolean finished;
    private int committed, aborted, recreated;

    ReadProcessWrite(String bootstrap, int partitions, int count) {
        this.bootstrap = bootstrap;
        this.partitions = partitions;
        this.count = count;
    }

    /** What the loop must leave in partition {@code p} of "out": the input's values there, 0, 1, 2, ... sent round-robin. */
    static List<Integer> expectedOut(int partitions, int count, int p) {
        List<Integer> expected = new ArrayList<>();
        for (int i = p; i < count; i += partitions) expected.add(i);
        return expected;
    }

    boolean finished() {
        return finished;
    }

    void stop() {
        finished = true;
    }

    void run(long budgetNanos) throws Exception {
        long deadline = System.nanoTime() + budgetNanos;
        Properties cp = Soak.consumerProps(bootstrap, "soak-group");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        List<TopicPartition> inputs = new ArrayList<>();
        for (int p = 0; p < partitions; p++) inputs.add(new TopicPartition("in", p));
        KafkaProducer<String, String> producer = newProducer();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            consumer.assign(inputs);
            while (!allConsumed(consumer, inputs)) {
                if (System.nanoTime() > deadline) fail("the loop did not finish: " + this);
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(300));
                if (records.isEmpty()) continue;
                try {
                    producer.beginTransaction();
                    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
                    for (ConsumerRecord<String, String> r : records) {
                        producer.send(new ProducerRecord<>("out", r.partition(), null, r.value()));
                        next.put(new TopicPartition("in", r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                    producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
                    producer.commitTransaction();
                    committed++;
                } catch (KafkaException e) {
                    try {
                        producer.abortTransaction();
                        aborted++;
                    } catch (KafkaException fatal) {
                        // a fatal error (fenced, say): a new instance of the same transactional id
                        System.out.println("a new producer after " + e + " / " + fatal);
                        producer.close(Duration.ofSeconds(5));
                        producer = newProducer();
                        recreated++;
                    }
                    rewind(consumer, inputs);
                }
            }
        } finally {
            producer.close(Duration.ofSeconds(5));
            finished = true;
        }
    }

    private KafkaProducer<String, String> newProducer() {
        Properties pp = Soak.producerProps(bootstrap);
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "soak-txn");
        pp.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        KafkaProducer<String, String> producer = new KafkaProducer<>(pp);
        producer.initTransactions();
        return producer;
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets(
            KafkaConsumer<String, String> consumer, List<TopicPartition> inputs) {
        while (true) {
            try {
                return consumer.committed(new HashSet<>(inputs), Duration.ofSeconds(30));
            } catch (KafkaException e) {
                // the coordinator is moving: ask again
            }
        }
    }

    private boolean allConsumed(KafkaConsumer<String, String> consumer, List<TopicPartition> inputs) {
        Map<TopicPartition, OffsetAndMetadata> done = committedOffsets(consumer, inputs);
        long total = 0;
        for (TopicPartition tp : inputs) {
            OffsetAndMetadata o = done.get(tp);
            total += o == null ? 0 : o.offset();
        }
        return total >= count;
    }

    /** Back to the last committed offsets: what the aborted transaction read is read again. */
    private void rewind(KafkaConsumer<String, String> consumer, List<TopicPartition> inputs) {
        Map<TopicPartition, OffsetAndMetadata> back = committedOffsets(consumer, inputs);
        Set<TopicPartition> none = new HashSet<>();
        for (TopicPartition tp : inputs) {
            OffsetAndMetadata o = back.get(tp);
            if (o == null) none.add(tp);
            else consumer.seek(tp, o.offset());
        }
        if (!none.isEmpty()) consumer.seekToBeginning(none);
    }

    @Override
    public String toString() {
        return committed + " transactions committed, " + aborted + " aborted, " + recreated + " producers replaced";
    }
}
