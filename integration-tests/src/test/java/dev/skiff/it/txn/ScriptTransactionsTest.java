package dev.skiff.it.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transaction scenarios of {@link KafkaClientsTransactionsTest} with a non-Java client's transactional
 * producer, run as a script in a child process; subclasses say how to start it and skip when the client is
 * not installed. What the script wrote is also read back with kafka-clients (read_committed).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class ScriptTransactionsTest {

    EmbeddedSkiff broker;

    /** The command that runs {@code scenario} against {@code bootstrap}. */
    abstract List<String> command(String bootstrap, String scenario, String... args);

    /** NODE_PATH for the script, or null. */
    Path nodePath() {
        return null;
    }

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
        if (broker != null) broker.close();
    }

    private ScriptClient run(String scenario, String... args) throws Exception {
        return new ScriptClient(command(broker.bootstrapServers(), scenario, args), nodePath());
    }

    @Test
    void anAbortedTransactionIsInvisibleToReadCommittedAndVisibleToReadUncommitted() throws Exception {
        try (ScriptClient s = run("abort")) {
            String result = s.result(Duration.ofSeconds(25));
            assertTrue(result.contains("committed-9"), result);
        }
        List<String> committed = TxnClients.readAll(broker.bootstrapServers(), "out", "read_committed", 10);
        assertEquals(10, committed.size(), committed.toString());
        assertTrue(committed.stream().allMatch(v -> v.startsWith("committed-")), committed.toString());
    }

    @Test
    void aSecondProducerWithTheSameTransactionalIdFencesTheFirst() throws Exception {
        try (ScriptClient s = run("fence")) {
            s.result(Duration.ofSeconds(25));
        }
        assertEquals(List.of("successor"), TxnClients.readAll(broker.bootstrapServers(), "out", "read_committed", 1));
    }

    @Test
    void aTransactionLeftOpenPastItsTimeoutIsAborted() throws Exception {
        try (ScriptClient s = run("timeout");
                Admin admin =
                        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            s.await("sent", Duration.ofSeconds(10));
            String id = command("", "").get(0).contains("python") ? "rd-timeout" : "js-timeout";
            Poll.until(
                    Duration.ofSeconds(10),
                    "the coordinator to abort " + id,
                    () -> admin.describeTransactions(List.of(id))
                            .description(id)
                            .get()
                            .state(),
                    st -> st == TransactionState.COMPLETE_ABORT);
            s.send("commit");
            s.result(Duration.ofSeconds(15));
        }
        assertEquals(
                0,
                TxnClients.readAll(broker.bootstrapServers(), "out", "read_committed", 0)
                        .size());
    }

    @Test
    void readProcessWriteIsExactlyOnceAcrossARestartAndARebalance() throws Exception {
        int n = 600;
        String bootstrap = broker.bootstrapServers();
        try (KafkaProducer<String, String> input = TxnClients.plainProducer(bootstrap);
                ScriptClient first = run("process", "p1")) {
            feed(input, 0, n / 3);
            awaitOutput(bootstrap, n / 6);
            broker.restart();
            feed(input, n / 3, 2 * n / 3);
            awaitOutput(bootstrap, n / 2);
            try (ScriptClient second = run("process", "p2")) { // joins: a rebalance
                Poll.until(
                        Duration.ofSeconds(15),
                        "the second processor to get partitions",
                        second::lastAssigned,
                        a -> a > 0);
                feed(input, 2 * n / 3, n);
                awaitOutput(bootstrap, 5 * n / 6);
                second.send("stop"); // leaves: another rebalance
                second.result(Duration.ofSeconds(10));
            }
            awaitOutput(bootstrap, n);
            first.send("stop");
            first.result(Duration.ofSeconds(10));
        }
        List<String> out = TxnClients.readAll(bootstrap, "out", "read_committed", n);
        Map<String, Long> counts = out.stream().collect(Collectors.groupingBy(v -> v, Collectors.counting()));
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < n; i++)
            if (counts.getOrDefault("v" + i, 0L) != 1) wrong.add("v" + i + "x" + counts.get("v" + i));
        assertTrue(wrong.isEmpty(), "records not seen exactly once: " + wrong);
        assertEquals(n, out.size());
    }

    private static void feed(KafkaProducer<String, String> input, int from, int to) {
        for (int i = from; i < to; i++) input.send(new ProducerRecord<>("in", "k" + i, "v" + i));
        input.flush();
    }

    /** Committed output records, counted by ListOffsets is not enough (markers): read them. */
    private static void awaitOutput(String bootstrap, int count) {
        Poll.until(
                Duration.ofSeconds(20),
                count + " committed output records",
                () -> TxnClients.countCommitted(bootstrap, "out"),
                got -> got >= count);
    }
}
