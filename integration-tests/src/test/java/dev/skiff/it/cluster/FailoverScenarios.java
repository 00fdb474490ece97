package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.skiff.it.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The failover scenarios of the cluster issue, written once against {@link ClusterTarget} and run against a
 * three-node Apache Kafka (which validates them) and against Skiff's cluster in one process. Each scenario
 * brings back every broker it took down, so they are independent of each other and of their order.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class FailoverScenarios {

    /** The cluster, started once per concrete class. */
    protected abstract ClusterTarget target();

    private final Set<Integer> down = new LinkedHashSet<>();

    protected void kill(int broker) {
        down.add(broker);
        target().kill(broker);
    }

    protected void stop(int broker) {
        down.add(broker);
        target().stop(broker);
    }

    protected void restart(int broker) {
        target().restart(broker);
        down.remove(broker);
    }

    @AfterEach
    void bringEveryBrokerBack() {
        for (int b : new ArrayList<>(down)) restart(b);
        target().awaitLive(new HashSet<>(target().brokerIds()));
    }

    protected static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target().bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 2000);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return p;
    }

    protected Properties consumerProps(String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, target().bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        if (group != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 2000);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        return p;
    }

    // ---- (a) ----

    /**
     * An idempotent producer (acks=all) and a consumer group run while the leader of a partition is killed three
     * times in a row (each killed broker comes back before the next kill): every acknowledged record is in the log
     * once, in the order sent, and the group reads all of them.
     */
    @Test
    void idempotentProducerAndGroupThroughThreeLeaderKills() throws Exception {
        ClusterTarget c = target();
        String topic = unique("failover-a");
        int partitions = 3;
        c.createTopic(topic, partitions, 3, Map.of("min.insync.replicas", "2"));

        Map<Integer, List<Integer>> acked = new ConcurrentHashMap<>();
        for (int p = 0; p < partitions; p++) acked.put(p, Collections.synchronizedList(new ArrayList<>()));
        AtomicInteger ackCount = new AtomicInteger();
        AtomicReference<Throwable> producerError = new AtomicReference<>();
        AtomicBoolean producing = new AtomicBoolean(true);
        Properties pp = producerProps();
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pp.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        Thread producer = new Thread(
                () -> {
                    try (KafkaProducer<String, String> p = new KafkaProducer<>(pp)) {
                        List<Future<RecordMetadata>> window = new ArrayList<>();
                        for (int n = 0; producing.get(); n++) {
                            int partition = n % partitions;
                            int value = n;
                            window.add(p.send(
                                    new ProducerRecord<>(topic, partition, null, Integer.toString(value)), (md, e) -> {
                                        if (e == null) {
                                            acked.get(partition).add(value);
                                            ackCount.incrementAndGet();
                                        }
                                    }));
                            if (window.size() == 30) {
                                for (Future<RecordMetadata> f : window) {
                                    try {
                                        f.get();
                                    } catch (Exception e) {
                                        // an unacknowledged record is allowed to be missing; keep going
                                    }
                                }
                                window.clear();
                            }
                        }
                        p.flush();
                    } catch (Throwable t) {
                        producerError.set(t);
                    }
                },
                "failover-a-producer");

        // offset -> value per partition: a re-read after a rebalance reads the same offsets again, which is fine
        Map<Integer, TreeMap<Long, Integer>> read = new ConcurrentHashMap<>();
        for (int p = 0; p < partitions; p++) read.put(p, new TreeMap<>());
        AtomicBoolean consuming = new AtomicBoolean(true);
        AtomicReference<Throwable> consumerError = new AtomicReference<>();
        List<String> duplicates = new CopyOnWriteArrayList<>();
        Properties cp = consumerProps(unique("group-a"));
        Thread consumer = new Thread(
                () -> {
                    try (KafkaConsumer<String, String> k = new KafkaConsumer<>(cp)) {
                        k.subscribe(List.of(topic));
                        while (consuming.get()) {
                            ConsumerRecords<String, String> records = k.poll(Duration.ofMillis(200));
                            for (ConsumerRecord<String, String> r : records) {
                                TreeMap<Long, Integer> m = read.get(r.partition());
                                synchronized (m) {
                                    Integer before = m.put(r.offset(), Integer.parseInt(r.value()));
                                    if (before != null && before != Integer.parseInt(r.value()))
                                        duplicates.add(
                                                "offset " + r.offset() + " was " + before + ", now " + r.value());
                                }
                            }
                            if (!records.isEmpty()) {
                                try {
                                    k.commitSync();
                                } catch (KafkaException e) {
                                    // a commit lost in a failover: the next poll reads again, from the last commit
                                }
                            }
                        }
                    } catch (Throwable t) {
                        consumerError.set(t);
                    }
                },
                "failover-a-consumer");
        producer.start();
        consumer.start();
        try {
            for (int round = 0; round < 3; round++) {
                int partition = round % partitions;
                awaitProgress(ackCount, 300, producerError);
                int leader = c.leaderOf(topic, partition);
                kill(leader);
                int next = c.awaitNewLeader(topic, partition, leader);
                assertNotEquals(leader, next);
                awaitProgress(ackCount, 300, producerError);
                restart(leader);
                c.awaitFullIsr(topic);
            }
            awaitProgress(ackCount, 300, producerError);
        } finally {
            producing.set(false);
            producer.join(TimeUnit.MINUTES.toMillis(3));
        }
        if (producerError.get() != null) fail("producer failed", producerError.get());
        try {
            Poll.until(
                    Duration.ofSeconds(90),
                    "the group to read every acknowledged record",
                    () -> {
                        if (consumerError.get() != null)
                            throw new AssertionError("consumer failed", consumerError.get());
                        for (int p = 0; p < partitions; p++) {
                            Set<Integer> seen;
                            TreeMap<Long, Integer> m = read.get(p);
                            synchronized (m) {
                                seen = new HashSet<>(m.values());
                            }
                            synchronized (acked.get(p)) {
                                if (!seen.containsAll(acked.get(p))) return false;
                            }
                        }
                        return true;
                    },
                    ok -> ok);
        } finally {
            consuming.set(false);
            consumer.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertEquals(List.of(), duplicates, "the same offset held two records");
        for (int p = 0; p < partitions; p++) {
            List<Integer> log = new ArrayList<>(read.get(p).values());
            // once and in order: the log of a partition is strictly increasing in the sequence sent
            for (int i = 1; i < log.size(); i++) {
                if (log.get(i) <= log.get(i - 1))
                    fail("partition " + p + " holds " + log.get(i - 1) + " then " + log.get(i) + " at index " + i);
            }
            List<Integer> ackedHere = new ArrayList<>(acked.get(p));
            Collections.sort(ackedHere);
            assertTrue(new HashSet<>(log).containsAll(ackedHere), "partition " + p + " lost acknowledged records");
        }
        assertTrue(ackCount.get() >= 1200, "acknowledged " + ackCount.get());
    }

    private static void awaitProgress(AtomicInteger count, int more, AtomicReference<Throwable> error) {
        int target = count.get() + more;
        Poll.until(
                ClusterTarget.FAILOVER,
                "another " + more + " acknowledged records",
                () -> {
                    if (error.get() != null) throw new AssertionError("producer failed", error.get());
                    return count.get();
                },
                n -> n >= target);
    }

    // ---- (b) ----

    /**
     * min.insync.replicas=2 on three replicas: with two brokers down (one killed, one stopped) the leader answers
     * acks=all with NOT_ENOUGH_REPLICAS; when one comes back and is in sync, the same send is accepted.
     */
    @Test
    void notEnoughReplicasWithTwoOfThreeDownThenAcceptedAgain() throws Exception {
        ClusterTarget c = target();
        String topic = unique("min-isr-b");
        c.createTopic(topic, 1, 3, Map.of("min.insync.replicas", "2"));
        Properties pp = producerProps();
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        pp.put(ProducerConfig.RETRIES_CONFIG, 0);
        pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        pp.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(pp)) {
            p.send(new ProducerRecord<>(topic, 0, null, "before")).get(30, TimeUnit.SECONDS);

            int leader = c.leaderOf(topic, 0);
            List<Integer> others = new ArrayList<>(c.replicas(topic, 0));
            others.remove(Integer.valueOf(leader));
            kill(others.get(0));
            stop(others.get(1));
            c.awaitIsr(topic, 0, Set.of(leader));
            assertEquals(leader, c.leaderOf(topic, 0), "the leader stays");

            Throwable refused = Poll.until(
                    ClusterTarget.FAILOVER,
                    "acks=all refused for lack of replicas",
                    () -> {
                        try {
                            p.send(new ProducerRecord<>(topic, 0, null, "refused"))
                                    .get(30, TimeUnit.SECONDS);
                            return null;
                        } catch (Exception e) {
                            return ClusterTarget.cause(e);
                        }
                    },
                    e -> e instanceof NotEnoughReplicasException);
            assertInstanceOf(NotEnoughReplicasException.class, refused);

            restart(others.get(0));
            c.awaitIsr(topic, 0, Set.of(leader, others.get(0)));
            RecordMetadata md = Poll.until(
                    ClusterTarget.FAILOVER,
                    "acks=all accepted again",
                    () -> p.send(new ProducerRecord<>(topic, 0, null, "after")).get(30, TimeUnit.SECONDS),
                    m -> m != null);
            assertTrue(md.offset() >= 1);
        }
        restart(down.iterator().next());
        c.awaitFullIsr(topic);
        // what was acknowledged is there, what was refused is not
        List<String> values = readAll(topic, 1);
        assertEquals("before", values.get(0));
        assertEquals("after", values.get(values.size() - 1));
        assertTrue(!values.contains("refused"), "a refused record was written: " + values);
    }

    /** Every committed record of the topic's partitions, read with read_committed from the start. */
    protected List<String> readAll(String topic, int partitions) {
        Properties cp = consumerProps(null);
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> k = new KafkaConsumer<>(cp)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) tps.add(new TopicPartition(topic, p));
            k.assign(tps);
            k.seekToBeginning(tps);
            Map<TopicPartition, Long> end = k.endOffsets(tps, Duration.ofSeconds(30));
            List<String> values = new ArrayList<>();
            Poll.until(
                    ClusterTarget.FAILOVER,
                    "reading " + topic + " to its end",
                    () -> {
                        for (ConsumerRecord<String, String> r : k.poll(Duration.ofMillis(200))) values.add(r.value());
                        for (TopicPartition tp : tps) if (k.position(tp) < end.get(tp)) return false;
                        return true;
                    },
                    ok -> ok);
            return values;
        }
    }

    // ---- (c) ----

    /**
     * A read-process-write loop (consume, produce the transformed record and the consumer's offsets in one
     * transaction, commit) while the broker of the transaction coordinator is killed: the output holds every
     * input record exactly once, in order.
     */
    @Test
    void readProcessWriteExactlyOnceAcrossCoordinatorFailover() throws Exception {
        ClusterTarget c = target();
        String in = unique("txn-in");
        String out = unique("txn-out");
        String group = unique("txn-group");
        String txnId = unique("txn-id");
        int count = 400;
        c.createTopic(in, 1, 3, Map.of());
        c.createTopic(out, 1, 3, Map.of("min.insync.replicas", "2"));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps())) {
            for (int i = 0; i < count; i++) p.send(new ProducerRecord<>(in, 0, null, Integer.toString(i)));
            p.flush();
        }

        Properties pp = producerProps();
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txnId);
        pp.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        Properties cp = consumerProps(group);
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10);
        int committedTxns = 0;
        int aborted = 0;
        boolean killed = false;
        TopicPartition inTp = new TopicPartition(in, 0);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp);
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(cp)) {
            producer.initTransactions();
            consumer.assign(List.of(inTp));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (true) {
                OffsetAndMetadata committed =
                        consumer.committed(Set.of(inTp), Duration.ofSeconds(30)).get(inTp);
                if (committed != null && committed.offset() >= count) break;
                if (System.nanoTime() - deadline > 0) fail("the loop did not finish; committed " + committed);
                if (!killed && committedTxns == 5) {
                    int coordinator = c.admin()
                            .describeTransactions(List.of(txnId))
                            .description(txnId)
                            .get(10, TimeUnit.SECONDS)
                            .coordinatorId();
                    kill(coordinator);
                    killed = true;
                }
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(300));
                if (records.isEmpty()) continue;
                try {
                    producer.beginTransaction();
                    long next = -1;
                    for (ConsumerRecord<String, String> r : records) {
                        producer.send(new ProducerRecord<>(out, 0, null, "out-" + r.value()));
                        next = r.offset() + 1;
                    }
                    producer.sendOffsetsToTransaction(
                            Map.of(inTp, new OffsetAndMetadata(next)), consumer.groupMetadata());
                    producer.commitTransaction();
                    committedTxns++;
                } catch (ProducerFencedException e) {
                    throw e;
                } catch (KafkaException e) {
                    // abortable (a timeout in the failover): abort, and read again from the last committed offset
                    producer.abortTransaction();
                    aborted++;
                    OffsetAndMetadata back = consumer.committed(Set.of(inTp), Duration.ofSeconds(30))
                            .get(inTp);
                    consumer.seek(inTp, back == null ? 0 : back.offset());
                }
            }
        }
        assertTrue(killed, "the coordinator was killed during the loop");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) expected.add("out-" + i);
        assertEquals(expected, readAll(out, 1), "exactly once, in order (" + aborted + " transactions aborted)");
    }

    // ---- (d) ----

    /**
     * What clients see after a broker is killed, as plain Metadata and Produce answers: the live brokers, the new
     * leader with a higher epoch, the ISR without the dead broker, offline replicas, LEADER_NOT_AVAILABLE for a
     * partition whose only replica died (its ISR keeps it), NOT_LEADER_OR_FOLLOWER from a broker that does not
     * lead. {@link ClientView} normalises the answers so Kafka's and Skiff's can be compared as values.
     */
    @Test
    void clientsSeeTheSameAfterAKill() throws Exception {
        ClusterTarget c = target();
        List<Integer> ids = c.brokerIds();
        int victim = ids.get(1);
        int first = ids.get(2);
        int second = ids.get(0);
        String replicated = unique("seen-rf3");
        String single = unique("seen-rf1");
        c.createTopic(replicated, Map.of(0, List.of(victim, first, second)), Map.of());
        c.createTopic(single, Map.of(0, List.of(victim)), Map.of());
        c.awaitFullIsr(replicated, single); // a follower briefly out of sync on a loaded machine is not the point
        ClientView before = ClientView.of(c, first, replicated, single);
        assertEquals(ClientView.expectedBefore(ids, victim, first, second), before.normalised(), before.raw());

        kill(victim);
        c.awaitNewLeader(replicated, 0, victim);
        ClientView after = Poll.until(
                ClusterTarget.FAILOVER,
                "metadata without broker " + victim,
                () -> ClientView.of(c, first, replicated, single),
                // Kafka's new leader may answer NOT_LEADER_OR_FOLLOWER for a moment after metadata names it
                v -> !v.brokers().contains(victim)
                        && v.replicatedIsr().size() == 2
                        && v.normalised().contains("rf3@leader=NONE"));
        assertEquals(ClientView.expectedAfter(ids, victim, first, second), after.normalised(), after.raw());
        assertTrue(
                after.replicatedLeaderEpoch() > before.replicatedLeaderEpoch(),
                "leader epoch grows: " + before.raw() + " -> " + after.raw());
    }

    // ---- (g) ----

    /**
     * The stock tools: kafka-topics --describe shows leader, replicas and ISR before and after the preferred leader
     * is killed; once it is back in sync, kafka-leader-election --election-type PREFERRED gives it the lead again.
     */
    @Test
    void kafkaTopicsDescribesAndLeaderElectionMovesTheLeaderBack() throws Exception {
        ClusterTarget c = target();
        List<Integer> ids = c.brokerIds();
        int preferred = ids.get(2);
        List<Integer> replicas = List.of(preferred, ids.get(0), ids.get(1));
        String topic = unique("tools-g");
        c.createTopic(topic, Map.of(0, replicas), Map.of());
        String replicasText = replicas.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));

        c.awaitFullIsr(topic);
        Described before = describe(topic);
        assertEquals(preferred, before.leader(), before.output());
        assertEquals(replicasText, before.replicas(), before.output());
        assertEquals(Set.copyOf(replicas), before.isr(), before.output());

        kill(preferred);
        int next = c.awaitNewLeader(topic, 0, preferred);
        Described during = Poll.until(
                ClusterTarget.FAILOVER,
                "kafka-topics to show " + preferred + " out of the ISR",
                () -> describe(topic),
                d -> !d.isr().contains(preferred));
        assertEquals(next, during.leader(), during.output());
        assertEquals(replicasText, during.replicas(), during.output());
        assertEquals(Set.of(ids.get(0), ids.get(1)), during.isr(), during.output());

        restart(preferred);
        c.awaitFullIsr(topic);
        assertEquals(next, c.leaderOf(topic, 0), "leaders move back only when asked");
        String elected = Tools.ok(
                Tools.LEADER_ELECTION,
                "--bootstrap-server",
                c.bootstrap(),
                "--election-type",
                "PREFERRED",
                "--topic",
                topic,
                "--partition",
                "0");
        assertTrue(
                elected.contains("Successfully completed leader election (PREFERRED) for partitions " + topic + "-0"),
                elected);
        Poll.until(
                ClusterTarget.FAILOVER, "the preferred leader back", () -> c.leaderOf(topic, 0), l -> l == preferred);
        Described after = describe(topic);
        assertEquals(preferred, after.leader(), after.output());
    }

    private record Described(int leader, String replicas, Set<Integer> isr, String output) {}

    private Described describe(String topic) {
        String out = Tools.ok(Tools.TOPICS, "--bootstrap-server", target().bootstrap(), "--describe", "--topic", topic);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Topic: " + java.util.regex.Pattern.quote(topic)
                        + "\\s+Partition: 0\\s+Leader: (-?\\d+|none)\\s+Replicas: ([\\d,]+)\\s+Isr: ([\\d,]*)")
                .matcher(out);
        assertTrue(m.find(), out);
        Set<Integer> isr = new HashSet<>();
        for (String s : m.group(3).split(",")) if (!s.isEmpty()) isr.add(Integer.parseInt(s));
        return new Described(m.group(1).equals("none") ? -1 : Integer.parseInt(m.group(1)), m.group(2), isr, out);
    }

    // ---- (e) ----

    /**
     * librdkafka (kcat, idempotent, acks=all) produces while the partition's leader is killed; kcat then reads the
     * partition back: every line once, in order. Skips where kcat is not installed (.ci/install-clients.sh).
     */
    @Test
    void librdkafkaProducesAndConsumesThroughALeaderKill() throws Exception {
        String kcat = Librdkafka.kcat();
        org.junit.jupiter.api.Assumptions.assumeTrue(kcat != null, "kcat is not installed");
        ClusterTarget c = target();
        String topic = unique("kcat-e");
        c.createTopic(topic, 1, 3, Map.of("min.insync.replicas", "2"));
        int count = 2000;
        Librdkafka.Run producer = Librdkafka.start(
                kcat,
                "-b",
                c.bootstrap(),
                "-P",
                "-t",
                topic,
                "-p",
                "0",
                "-X",
                "enable.idempotence=true",
                "-X",
                "message.timeout.ms=120000",
                "-X",
                "topic.metadata.refresh.interval.ms=1000");
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < count / 2; i++) first.append("line-").append(i).append('\n');
        producer.write(first.toString());
        int leader = c.leaderOf(topic, 0);
        kill(leader);
        StringBuilder second = new StringBuilder();
        for (int i = count / 2; i < count; i++) second.append("line-").append(i).append('\n');
        producer.write(second.toString());
        Librdkafka.Result produced = producer.finish(Duration.ofMinutes(2));
        assertEquals(0, produced.exitCode(), produced.stderr());
        c.awaitNewLeader(topic, 0, leader);

        Librdkafka.Result read = Librdkafka.start(
                        kcat, "-b", c.bootstrap(), "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q")
                .finish(Duration.ofMinutes(1));
        assertEquals(0, read.exitCode(), read.stderr());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) expected.add("line-" + i);
        assertEquals(expected, read.stdout().lines().toList());
    }

    // ---- (f) ----

    /**
     * The tutorial's 0.8.1 partition consumer (SimpleConsumer): finds the leader among the seed brokers, reads,
     * and when the leader is killed and its fetch fails, calls findNewLeader and goes on at the same offset.
     * Every message produced with request.required.acks=-1 is read once, in order. Only where 0.8 clients are
     * served (Skiff; Kafka 4 refuses them).
     */
    @Test
    void tutorialPartitionConsumerFollowsANewLeader() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                target().speaksKafka08(), target().name() + " does not serve Kafka 0.8 clients");
        ClusterTarget c = target();
        String topic = unique("tutorial-f");
        c.createTopic(topic, 1, 3, Map.of());
        TutorialPartitionConsumer consumer = new TutorialPartitionConsumer(c, topic, 0);
        try (TutorialPartitionConsumer.SyncProducer producer = new TutorialPartitionConsumer.SyncProducer(c)) {
            producer.send(topic, "m", 0, 100);
            List<String> read = new ArrayList<>(consumer.read(50));
            int leader = consumer.leaderId();
            kill(leader);
            producer.send(topic, "m", 100, 100);
            read.addAll(consumer.read(150));
            assertTrue(consumer.leaderChanges() >= 1, "findNewLeader was called");
            assertNotEquals(leader, consumer.leaderId());
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 200; i++) expected.add("m-" + i);
            assertEquals(expected, read);
        } finally {
            consumer.close();
        }
    }
}
