package dev.skiff.it.txn;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.opentest4j.AssertionFailedError;

/**
 * The read-process-write loop of an exactly-once application on its own thread: poll "in" (read_committed,
 * group "eos"), copy each record to "out" and commit the consumed offsets in the same transaction. On an
 * abortable error the transaction is aborted and the consumer rewound to the group's committed offsets, as
 * Kafka's documentation prescribes; being fenced is fatal (and a test failure here).
 */
final class Processor implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final KafkaProducer<String, String> producer;
    private final Thread thread;
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile int assigned;

    Processor(String bootstrap, String transactionalId) {
        consumer = TxnClients.consumer(bootstrap, "read_committed", "eos");
        producer = TxnClients.transactionalProducer(bootstrap, transactionalId, 30_000);
        thread = new Thread(this::run, "processor-" + transactionalId);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of("in"));
            while (running) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                assigned = consumer.assignment().size();
                if (records.isEmpty()) continue;
                try {
                    producer.beginTransaction();
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (ConsumerRecord<String, String> r : records) {
                        producer.send(new ProducerRecord<>("out", r.key(), r.value()));
                        offsets.put(
                                new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                } catch (ProducerFencedException | FencedInstanceIdException e) {
                    throw e;
                } catch (KafkaException e) {
                    producer.abortTransaction();
                    rewind();
                }
            }
        } catch (Throwable t) {
            if (running) fatal.set(t);
        }
    }

    /** Back to the last committed offsets, so what the aborted transaction consumed is read again. */
    private void rewind() {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata o = committed.get(tp);
            if (o == null) consumer.seekToBeginning(List.of(tp));
            else consumer.seek(tp, o.offset());
        }
    }

    /** Partitions assigned at the last poll. */
    int assigned() {
        return assigned;
    }

    void assertNoFatalError() {
        Throwable t = fatal.get();
        if (t != null) throw new AssertionFailedError("processor failed: " + t, t);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(15_000);
        assertNoFatalError();
        consumer.close(Duration.ofSeconds(5));
        producer.close(Duration.ofSeconds(5));
    }
}
