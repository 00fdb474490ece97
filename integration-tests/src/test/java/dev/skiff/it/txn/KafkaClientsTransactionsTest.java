package dev.skiff.it.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Transactions and read_committed with kafka-clients 4.1.1 (transaction protocol V1). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaClientsTransactionsTest {

    private EmbeddedSkiff broker;

    @BeforeEach
    void start() {
        broker = EmbeddedSkiff.builder()
                .port(0)
                .topic("out", 3)
                .topic("in", 3)
                .property("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200")
                .start();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void anAbortedTransactionIsInvisibleToReadCommittedAndVisibleToReadUncommitted() throws Exception {
        try (KafkaProducer<String, String> p =
                TxnClients.transactionalProducer(broker.bootstrapServers(), "t-abort", 60_000)) {
            p.initTransactions();
            p.beginTransaction();
            for (int i = 0; i < 5; i++) p.send(new ProducerRecord<>("out", "k" + i, "committed-" + i));
            p.commitTransaction();
            p.beginTransaction();
            for (int i = 0; i < 5; i++) p.send(new ProducerRecord<>("out", "k" + i, "aborted-" + i));
            p.flush();
            p.abortTransaction();
            p.beginTransaction();
            for (int i = 5; i < 10; i++) p.send(new ProducerRecord<>("out", "k" + i, "committed-" + i));
            p.commitTransaction();
        }
        List<String> committed = TxnClients.readAll(broker.bootstrapServers(), "out", "read_committed", 10);
        assertEquals(10, committed.size(), committed.toString());
        assertTrue(committed.stream().allMatch(v -> v.startsWith("committed-")), committed.toString());
        List<String> uncommitted = TxnClients.readAll(broker.bootstrapServers(), "out", "read_uncommitted", 15);
        assertEquals(15, uncommitted.size(), uncommitted.toString());
        assertEquals(
                5, uncommitted.stream().filter(v -> v.startsWith("aborted-")).count());
    }

    @Test
    void anOpenTransactionHoldsBackReadCommittedConsumers() throws Exception {
        try (KafkaProducer<String, String> p =
                        TxnClients.transactionalProducer(broker.bootstrapServers(), "t-open", 60_000);
                Admin admin = admin()) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("out", "k", "open")).get();
            assertEquals(
                    0,
                    TxnClients.readAll(broker.bootstrapServers(), "out", "read_committed", 0)
                            .size());
            assertEquals(
                    1,
                    TxnClients.readAll(broker.bootstrapServers(), "out", "read_uncommitted", 1)
                            .size());
            TransactionDescription d = admin.describeTransactions(List.of("t-open"))
                    .description("t-open")
                    .get();
            assertEquals(TransactionState.ONGOING, d.state());
            assertEquals(60_000, d.transactionTimeoutMs());
            assertTrue(d.topicPartitions().stream().anyMatch(tp -> tp.topic().equals("out")));
            Collection<TransactionListing> listed =
                    admin.listTransactions().all().get();
            assertTrue(
                    listed.stream()
                            .anyMatch(
                                    l -> l.transactionalId().equals("t-open") && l.state() == TransactionState.ONGOING),
                    listed.toString());
            p.commitTransaction();
            assertEquals(List.of("open"), TxnClients.readAll(broker.bootstrapServers(), "out", "read_committed", 1));
            assertEquals(
                    TransactionState.COMPLETE_COMMIT,
                    admin.describeTransactions(List.of("t-open"))
                            .description("t-open")
                            .get()
                            .state());
        }
    }

    @Test
    void aSecondProducerWithTheSameTransactionalIdFencesTheFirst() throws Exception {
        KafkaProducer<String, String> zombie =
                TxnClients.transactionalProducer(broker.bootstrapServers(), "t-fence", 60_000);
        try (KafkaProducer<String, String> successor =
                TxnClients.transactionalProducer(broker.bootstrapServers(), "t-fence", 60_000)) {
            zombie.initTransactions();
            zombie.beginTransaction();
            zombie.send(new ProducerRecord<>("out", "k", "zombie")).get();
            successor.initTransactions(); // aborts the zombie's transaction
            KafkaException e = assertThrows(KafkaException.class, zombie::commitTransaction);
            assertTrue(e.getClass().getSimpleName().contains("Fenced") || e.getCause() != null, e.toString());
            successor.beginTransaction();
            successor.send(new ProducerRecord<>("out", "k", "successor"));
            successor.commitTransaction();
        } finally {
            zombie.close(Duration.ZERO);
        }
        assertEquals(List.of("successor"), TxnClients.readAll(broker.bootstrapServers(), "out", "read_committed", 1));
    }

    @Test
    void aTransactionLeftOpenPastItsTimeoutIsAborted() throws Exception {
        try (KafkaProducer<String, String> p =
                        TxnClients.transactionalProducer(broker.bootstrapServers(), "t-timeout", 1_500);
                Admin admin = admin()) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("out", "k", "forgotten")).get();
            Poll.until(
                    Duration.ofSeconds(15),
                    "the coordinator to abort the transaction",
                    () -> admin.describeTransactions(List.of("t-timeout"))
                            .description("t-timeout")
                            .get()
                            .state(),
                    s -> s == TransactionState.COMPLETE_ABORT);
            // the partition is stable again and the aborted record is not read
            assertEquals(
                    0,
                    TxnClients.readAll(broker.bootstrapServers(), "out", "read_committed", 0)
                            .size());
            assertThrows(KafkaException.class, p::commitTransaction); // the producer was fenced by the abort
        }
    }

    @Test
    void readProcessWriteIsExactlyOnceAcrossARestartAndARebalance() throws Exception {
        int n = 900;
        String bootstrap = broker.bootstrapServers(); // the same port after the restart
        try (KafkaProducer<String, String> input = TxnClients.plainProducer(bootstrap);
                OutputWatcher output = new OutputWatcher(bootstrap);
                Processor first = new Processor(bootstrap, "eos-1")) {
            feed(input, 0, n / 3);
            first.start();
            output.await(n / 6);
            broker.restart(); // most likely with a transaction open
            feed(input, n / 3, 2 * n / 3);
            output.await(n / 2);
            try (Processor second = new Processor(bootstrap, "eos-2")) { // joins: a rebalance
                second.start();
                Poll.until(
                        Duration.ofSeconds(20), "the second processor to get partitions", second::assigned, a -> a > 0);
                feed(input, 2 * n / 3, n);
                output.await(5 * n / 6);
            } // leaves: another rebalance
            output.await(n);
            first.assertNoFatalError();
        }
        List<String> out = TxnClients.readAll(bootstrap, "out", "read_committed", n);
        Map<String, Long> counts = out.stream().collect(Collectors.groupingBy(v -> v, Collectors.counting()));
        Map<String, Long> wrong = new HashMap<>();
        IntStream.range(0, n).mapToObj(i -> "v" + i).forEach(v -> {
            if (counts.getOrDefault(v, 0L) != 1) wrong.put(v, counts.getOrDefault(v, 0L));
        });
        assertTrue(wrong.isEmpty(), "records not seen exactly once: " + wrong);
        assertEquals(n, out.size());
    }

    private static void feed(KafkaProducer<String, String> input, int from, int to) throws Exception {
        for (int i = from; i < to; i++) input.send(new ProducerRecord<>("in", "k" + i, "v" + i));
        input.flush();
    }

    /** Counts committed output with one read_committed consumer kept across the test (and the restart). */
    private static final class OutputWatcher implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private int seen;

        OutputWatcher(String bootstrap) {
            consumer = TxnClients.consumer(bootstrap, "read_committed", null);
            List<TopicPartition> parts = consumer.partitionsFor("out").stream()
                    .map(i -> new TopicPartition("out", i.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        void await(int count) {
            Poll.until(
                    Duration.ofSeconds(20),
                    count + " committed output records",
                    () -> {
                        seen += consumer.poll(Duration.ofMillis(100)).count();
                        return seen;
                    },
                    got -> got >= count);
        }

        @Override
        public void close() {
            consumer.close(Duration.ZERO);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}
