package dev.skiff.it.soak;

import static org.junit.jupiter.api.Assertions.fail;

import dev.skiff.it.FreePorts;
import dev.skiff.it.durability.ChildBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The standalone broker in a child process, alone or with {@code --brokers 3}, SIGKILLed at random moments and
 * started again on the same data dir while clients run: every restart recovers every log, the producers' state,
 * the transactions and the groups' offsets without a clean shutdown (and, with three brokers, reloads the
 * controller's metadata and elects from it). Afterwards, and after one more crash at rest, whatever a client was
 * told is stored. A soak: see {@link Soak}.
 */
class CrashSoakTest {

    private static final int PARTITIONS = 3;

    /** An idempotent acks=all producer: every acknowledged record is stored, once, in order. */
    @ParameterizedTest(name = "{0} broker(s)")
    @ValueSource(ints = {1, 3})
    void crashesLoseNothingAcknowledged(int brokers) throws Exception {
        Soak soak = Soak.fromSystemProperties("CrashSoakTest.idempotent, " + brokers + " broker(s)");
        Crashing broker = new Crashing(brokers);
        try {
            broker.createTopic("crash");
            Soak.CountingProducer producer = broker.crashWhileProducing(soak, "crash", 0);
            for (int p = 0; p < PARTITIONS; p++) {
                List<Integer> acknowledged = producer.acknowledged(p);
                List<Integer> log = Soak.readAll(broker.bootstrap, "crash", p, "read_uncommitted", acknowledged.size());
                Soak.assertOnceInOrderWithNothingLost("crash-" + p, log, acknowledged);
            }
            broker.passed();
        } finally {
            broker.close();
        }
    }

    /**
     * A compacted topic with small segments and a cleaner that passes every 100 ms, so that crashes land in
     * compaction's rewrites and swaps: afterwards each key's latest acknowledged value (or a later one) is stored,
     * what is stored is in the order sent, and compaction did remove older values.
     */
    @ParameterizedTest(name = "{0} broker(s)")
    @ValueSource(ints = {1, 3})
    void compactionKeepsTheLatestValueOfEveryKeyAcrossCrashes(int brokers) throws Exception {
        Soak soak = Soak.fromSystemProperties("CrashSoakTest.compaction, " + brokers + " broker(s)");
        int keys = 1_000;
        Crashing broker = new Crashing(
                brokers, List.of("--override", "log.segment.bytes=131072", "--override", "log.cleaner.backoff.ms=100"));
        try {
            broker.createTopic("compacted", Map.of("cleanup.policy", "compact", "delete.retention.ms", "0"));
            Soak.CountingProducer producer = broker.crashWhileProducing(soak, "compacted", keys);
            long stored = 0, acknowledged = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                List<Integer> acked = producer.acknowledged(p);
                List<Integer> log = Soak.readAll(broker.bootstrap, "compacted", p, "read_uncommitted", 0);
                Soak.assertRising("compacted-" + p, log);
                Map<Integer, Integer> latestStored = new HashMap<>();
                for (int v : log) latestStored.merge(v % keys, v, Math::max);
                Map<Integer, Integer> latestAcked = new HashMap<>();
                for (int v : acked) latestAcked.merge(v % keys, v, Math::max);
                for (Map.Entry<Integer, Integer> e : latestAcked.entrySet()) {
                    Integer kept = latestStored.get(e.getKey());
                    if (kept == null || kept < e.getValue())
                        fail("compacted-" + p + " key " + e.getKey() + ": acknowledged " + e.getValue()
                                + ", latest stored " + kept);
                }
                stored += log.size();
                acknowledged += acked.size();
            }
            System.out.println("compaction: " + acknowledged + " acknowledged, " + stored + " stored");
            if (stored >= acknowledged) fail("nothing was compacted: " + stored + " of " + acknowledged + " stored");
            broker.passed();
        } finally {
            broker.close();
        }
    }

    /**
     * A read-process-write loop in transactions while the whole process crashes: the output, read with
     * read_committed, is the input once and in order. Beside it a consumer group commits its position after
     * every poll; after each restart, the group's offsets are at least what the last commit before the crash
     * was told was stored. The input holds {@code -Dskiff.soak.records} records (10,000 per second of the soak
     * unless set).
     */
    @ParameterizedTest(name = "{0} broker(s)")
    @ValueSource(ints = {1, 3})
    void transactionsAndCommittedOffsetsSurviveCrashes(int brokers) throws Exception {
        Soak soak = Soak.fromSystemProperties("CrashSoakTest.transactions, " + brokers + " broker(s)");
        int count = Integer.getInteger("skiff.soak.records", soak.seconds * 10_000);
        Crashing broker = new Crashing(brokers);
        try {
            broker.createTopic("in");
            broker.createTopic("out");
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Soak.producerProps(broker.bootstrap))) {
                for (int i = 0; i < count; i++)
                    p.send(new ProducerRecord<>("in", i % PARTITIONS, null, Integer.toString(i)));
                p.flush();
            }
            ReadProcessWrite loop = new ReadProcessWrite(broker.bootstrap, PARTITIONS, count);
            Committer committer = new Committer(broker.bootstrap, "in");
            AtomicReference<Throwable> crashes = new AtomicReference<>();
            Thread crasher = new Thread(() -> {
                try {
                    Map<TopicPartition, Long> before = new HashMap<>();
                    int rounds = broker.crashUntil(
                            soak,
                            loop::finished,
                            () -> loop + "; " + committer,
                            () -> before.putAll(committer.committed));
                    broker.assertCommittedAtLeast(committer.group, before);
                    System.out.println("after " + rounds + " crashes: " + loop + "; " + committer);
                } catch (Throwable t) {
                    crashes.set(t);
                    loop.stop();
                }
            });
            crasher.start();
            try {
                loop.run(TimeUnit.SECONDS.toNanos(soak.seconds + 600L));
            } finally {
                loop.stop();
                crasher.join();
                committer.close();
            }
            if (crashes.get() != null) fail("crashing the broker failed", crashes.get());
            System.out.println(loop);
            Map<TopicPartition, Long> before = new HashMap<>(committer.committed);
            broker.crash(); // once more, at rest
            broker.assertCommittedAtLeast(committer.group, before);
            for (int p = 0; p < PARTITIONS; p++) {
                List<Integer> expected = ReadProcessWrite.expectedOut(PARTITIONS, count, p);
                List<Integer> log = Soak.readAll(broker.bootstrap, "out", p, "read_committed", expected.size());
                Soak.assertSameLog("out-" + p + ", read_committed, against the input", expected, log);
            }
            broker.passed();
        } finally {
            broker.close();
        }
    }

    /**
     * At least once through crashes: three members of a consumer group (subscribed, on the classic or the
     * consumer protocol) read a topic, note each value, and commit after every poll, while the whole process
     * crashes. Once the group's offsets cover the topic, every value was read at least once: no crash lost a
     * commit or moved one past what its member had read. The topic holds {@code -Dskiff.soak.records} records
     * (2,000 per second of the soak unless set).
     */
    @ParameterizedTest(name = "{0} broker(s), {1} protocol")
    @CsvSource({"1, classic", "3, classic", "1, consumer", "3, consumer"})
    void aGroupReadsEveryRecordAtLeastOnceAcrossCrashes(int brokers, String protocol) throws Exception {
        Soak soak =
                Soak.fromSystemProperties("CrashSoakTest.group, " + brokers + " broker(s), " + protocol + " protocol");
        int count = Integer.getInteger("skiff.soak.records", soak.seconds * 2_000);
        Crashing broker = new Crashing(brokers);
        try {
            broker.createTopic("in");
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Soak.producerProps(broker.bootstrap))) {
                for (int i = 0; i < count; i++)
                    p.send(new ProducerRecord<>("in", i % PARTITIONS, null, Integer.toString(i)));
                p.flush();
            }
            java.util.BitSet seen = new java.util.BitSet(count);
            java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            List<Thread> members = new ArrayList<>();
            for (int m = 0; m < 3; m++) {
                Thread t = new Thread(
                        () -> {
                            java.util.Properties props = Soak.consumerProps(broker.bootstrap, "members");
                            props.put("group.protocol", protocol);
                            props.put("max.poll.records", 100);
                            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
                                c.subscribe(List.of("in"));
                                while (running.get()) {
                                    try {
                                        for (var r : c.poll(Duration.ofMillis(200))) {
                                            synchronized (seen) {
                                                seen.set(Integer.parseInt(r.value()));
                                            }
                                            reads.incrementAndGet();
                                            Thread.sleep(0, 200_000); // paced, so crashes come mid-topic
                                        }
                                        c.commitSync(Duration.ofSeconds(10));
                                    } catch (KafkaException e) {
                                        // a crash or a rebalance: what was not committed is read again
                                    }
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "soak-member-" + m);
                t.start();
                members.add(t);
            }
            BooleanSupplier covered = () -> {
                try {
                    return broker.committedTotal("members", "in") >= count;
                } catch (Exception e) {
                    return false;
                }
            };
            int rounds = broker.crashUntil(soak, covered, () -> reads + " reads", () -> {});
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (!covered.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(500);
            running.set(false);
            for (Thread t : members) t.join(TimeUnit.MINUTES.toMillis(1));
            System.out.println("after " + rounds + " crashes: " + reads + " reads of " + count + " records");
            if (!covered.getAsBoolean()) fail("the group's offsets never covered the topic");
            synchronized (seen) {
                if (seen.cardinality() != count)
                    fail((count - seen.cardinality()) + " records were never read, the first " + seen.nextClearBit(0));
            }
            broker.passed();
        } finally {
            broker.close();
        }
    }

    /**
     * Share groups through crashes: three share consumers (explicit acknowledgement) read a topic, accept each
     * record, and commit the acknowledgements after every poll, while the whole process crashes. Every record is
     * delivered, and ends accepted, or archived after the delivery-count limit; a record whose acceptance a commit
     * confirmed is never acquired again, before or after any restart, and no record is accepted twice (the
     * leaders do not move here, so the share state not being replicated does not come into it).
     *
     * <p>A consumer may still hand its application a copy it fetched before a crash after another member has
     * since been given the record again and accepted it: kafka-clients keeps fetched records across a lost
     * connection, and the broker's locks did not survive the crash. Such a copy carries a lower delivery count
     * than the accepted delivery (the broker writes each delivery's count before answering), so it is counted
     * apart, not as a failure. The topic holds {@code -Dskiff.soak.records} records (1,000 per second of the soak
     * unless set).
     */
    @ParameterizedTest(name = "{0} broker(s)")
    @ValueSource(ints = {1, 3})
    void aShareGroupDeliversEveryRecordAndKeepsWhatWasAccepted(int brokers) throws Exception {
        Soak soak = Soak.fromSystemProperties("CrashSoakTest.share, " + brokers + " broker(s)");
        int count = Integer.getInteger("skiff.soak.records", soak.seconds * 1_000);
        Crashing broker = new Crashing(brokers);
        try {
            broker.createTopic("in");
            try (Admin admin = broker.admin()) {
                admin.incrementalAlterConfigs(Map.of(
                                new ConfigResource(ConfigResource.Type.GROUP, "sharers"),
                                List.of(new AlterConfigOp(
                                        new ConfigEntry("share.auto.offset.reset", "earliest"),
                                        AlterConfigOp.OpType.SET))))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Soak.producerProps(broker.bootstrap))) {
                for (int i = 0; i < count; i++)
                    p.send(new ProducerRecord<>("in", i % PARTITIONS, null, Integer.toString(i)));
                p.flush();
            }
            ShareTally tally = new ShareTally(count);
            tally.startSharers(broker.bootstrap, 3);
            int rounds = broker.crashUntil(
                    soak, tally::covered, () -> tally + "; leaders " + broker.leaders("in"), () -> {});
            tally.awaitQuiet("after " + rounds + " crashes");
            tally.stopSharers();
            // once more at rest: what was accepted stays accepted after a restart
            broker.crash();
            tally.startSharers(broker.bootstrap, 1);
            tally.awaitQuiet("after a crash at rest");
            tally.stopSharers();
            System.out.println("after " + rounds + " crashes and one at rest: " + tally);
            tally.assertHeld();
            broker.passed();
        } finally {
            broker.close();
        }
    }

    /**
     * What share consumers of one group were delivered and told: per value, whether it was seen, the highest
     * delivery count seen, and whether a commit confirmed its acceptance (or failed, leaving it unknown).
     */
    private static final class ShareTally {
        /** Kafka's default group.share.delivery.count.limit. */
        static final int DELIVERY_LIMIT = 5;

        final int count;
        final java.util.BitSet seen, confirmed, unknown;
        final byte[] deliveries;
        final List<String> redelivered = new ArrayList<>(); // the first 20 of each kind
        int redeliveries, acceptedTwice, staleCopies;
        /** Per accepted value: the member whose commit confirmed it, and the delivery count it accepted. */
        final int[] acceptedBy;

        final short[] acceptedCount;
        final java.util.concurrent.atomic.AtomicInteger members = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong deliveriesTotal = new java.util.concurrent.atomic.AtomicLong();
        volatile long lastDeliveryNanos = System.nanoTime();
        private volatile boolean running;
        private final List<Thread> sharers = new ArrayList<>();

        ShareTally(int count) {
            this.count = count;
            this.seen = new java.util.BitSet(count);
            this.confirmed = new java.util.BitSet(count);
            this.unknown = new java.util.BitSet(count);
            this.deliveries = new byte[count];
            this.acceptedBy = new int[count];
            this.acceptedCount = new short[count];
        }

        void startSharers(String bootstrap, int n) {
            running = true;
            for (int m = 0; m < n; m++) {
                Thread t = new Thread(() -> share(bootstrap), "soak-sharer-" + m);
                t.start();
                sharers.add(t);
            }
        }

        void stopSharers() throws InterruptedException {
            running = false;
            for (Thread t : sharers) t.join(TimeUnit.MINUTES.toMillis(2));
            sharers.clear();
        }

        private void share(String bootstrap) {
            java.util.Properties props = new java.util.Properties();
            props.put("bootstrap.servers", bootstrap);
            props.put("group.id", "sharers");
            props.put("key.deserializer", StringDeserializer.class.getName());
            props.put("value.deserializer", StringDeserializer.class.getName());
            props.put("share.acknowledgement.mode", "explicit");
            props.put("max.poll.records", "100");
            try (KafkaShareConsumer<String, String> c = new KafkaShareConsumer<>(props)) {
                c.subscribe(List.of("in"));
                int member = members.incrementAndGet();
                Map<Integer, List<int[]>> pending = new HashMap<>(); // per partition: value, delivery count
                while (running) {
                    try {
                        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                            int value = Integer.parseInt(r.value());
                            short count = r.deliveryCount().orElse((short) 0);
                            delivered(value, count, member);
                            c.acknowledge(r, AcknowledgeType.ACCEPT);
                            pending.computeIfAbsent(r.partition(), k -> new ArrayList<>())
                                    .add(new int[] {value, count});
                            Thread.sleep(0, 200_000); // paced, so crashes come mid-topic
                        }
                        if (pending.isEmpty()) continue;
                        Map<TopicIdPartition, Optional<KafkaException>> answers = c.commitSync(Duration.ofSeconds(10));
                        Map<Integer, Optional<KafkaException>> byPartition = new HashMap<>();
                        answers.forEach((tip, e) -> byPartition.put(tip.partition(), e));
                        pending.forEach((partition, values) -> {
                            Optional<KafkaException> e = byPartition.get(partition);
                            settled(values, e != null && e.isEmpty(), member);
                        });
                        pending.clear();
                    } catch (KafkaException e) {
                        // a crash: what this member acknowledged may or may not be stored
                        pending.values().forEach(values -> settled(values, false, member));
                        pending.clear();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (KafkaException e) {
                // closing against a broker that is down
            }
        }

        /**
         * A delivery of an accepted record is a failure when the broker acquired it after the acceptance: a member
         * other than the one that accepted it got it at the accepted delivery's count or a later one. Else it is a
         * copy fetched before a crash (see the test's comment).
         */
        private synchronized void delivered(int value, short deliveryCount, int member) {
            if (confirmed.get(value)) {
                if (member != acceptedBy[value] && deliveryCount >= acceptedCount[value]) {
                    if (redeliveries++ < 20)
                        redelivered.add(value + " (delivery " + deliveryCount + ", accepted at delivery "
                                + acceptedCount[value] + ")");
                } else staleCopies++;
            }
            seen.set(value);
            deliveries[value] = (byte) Math.max(deliveries[value], deliveryCount);
            deliveriesTotal.incrementAndGet();
            lastDeliveryNanos = System.nanoTime();
        }

        private synchronized void settled(List<int[]> values, boolean accepted, int member) {
            for (int[] d : values) {
                int v = d[0];
                if (accepted) {
                    if (confirmed.get(v) && acceptedTwice++ < 20)
                        redelivered.add(v + " accepted twice (deliveries " + acceptedCount[v] + " and " + d[1] + ")");
                    confirmed.set(v);
                    acceptedBy[v] = member;
                    acceptedCount[v] = (short) d[1];
                    unknown.clear(v);
                } else if (!confirmed.get(v)) unknown.set(v);
            }
        }

        /** Every value was delivered and is accepted, archived at the limit, or of an unknown outcome. */
        synchronized boolean covered() {
            return seen.cardinality() == count && ended().cardinality() == count;
        }

        private java.util.BitSet ended() {
            java.util.BitSet ended = (java.util.BitSet) confirmed.clone();
            ended.or(unknown);
            for (int v = 0; v < count; v++) if (deliveries[v] >= DELIVERY_LIMIT) ended.set(v);
            return ended;
        }

        /** Waits until every value is covered and nothing was delivered for ten seconds (five minutes at most). */
        void awaitQuiet(String when) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() < deadline
                    && !(covered() && System.nanoTime() - lastDeliveryNanos > TimeUnit.SECONDS.toNanos(10)))
                Thread.sleep(500);
            System.out.println(when + ": " + this);
        }

        synchronized void assertHeld() {
            if (redeliveries > 0 || acceptedTwice > 0)
                fail(redeliveries + " deliveries of records whose acceptance was committed and " + acceptedTwice
                        + " acceptances of records accepted before, such as " + redelivered);
            if (seen.cardinality() != count)
                fail((count - seen.cardinality()) + " records were never delivered, the first " + seen.nextClearBit(0));
            java.util.BitSet ended = ended();
            if (ended.cardinality() != count)
                fail((count - ended.cardinality()) + " records were delivered but neither accepted nor archived, the"
                        + " first " + ended.nextClearBit(0));
        }

        @Override
        public synchronized String toString() {
            int archived = 0;
            for (int v = 0; v < count; v++) if (deliveries[v] >= DELIVERY_LIMIT && !confirmed.get(v)) archived++;
            return deliveriesTotal + " deliveries of " + count + " records: " + seen.cardinality() + " seen, "
                    + confirmed.cardinality() + " confirmed accepted, " + unknown.cardinality()
                    + " of unknown outcome, " + archived + " at the delivery limit, " + redeliveries
                    + " deliveries after a confirmed acceptance, " + acceptedTwice + " accepted twice, " + staleCopies
                    + " copies fetched before a crash handed out after their record was accepted";
        }
    }

    /** The child process and what it takes to crash it and start it again on its data. */
    private static final class Crashing implements AutoCloseable {
        final int brokers;
        final Path data;
        final int port;
        final List<String> flags;
        final String bootstrap;
        private volatile ChildBroker child;
        private boolean passed;

        Crashing(int brokers) throws Exception {
            this(brokers, List.of());
        }

        /** With these flags too (broker settings, say). */
        Crashing(int brokers, List<String> extraFlags) throws Exception {
            this.brokers = brokers;
            this.data = Files.createTempDirectory("crash-soak");
            this.port = FreePorts.distinct(1)[0];
            List<String> flags = new ArrayList<>(extraFlags);
            if (brokers > 1)
                flags.addAll(List.of(
                        "--brokers", Integer.toString(brokers),
                        "--override", "default.replication.factor=3",
                        "--override", "min.insync.replicas=2",
                        "--override", "offsets.topic.replication.factor=3",
                        "--override", "transaction.state.log.replication.factor=3",
                        "--override", "transaction.state.log.min.isr=2"));
            this.flags = flags;
            List<String> hosts = new ArrayList<>();
            for (int b = 1; b <= brokers; b++) hosts.add("127.0.0." + b + ":" + port);
            this.bootstrap = String.join(",", hosts);
            start();
        }

        void createTopic(String name) throws Exception {
            createTopic(name, Map.of());
        }

        void createTopic(String name, Map<String, String> configs) throws Exception {
            try (Admin admin = admin()) {
                admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) brokers).configs(configs)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
        }

        /**
         * Crashes and restarts the process every 1-6 s until the soak's time is up or {@code done} says so;
         * {@code beforeCrash} runs just before each SIGKILL. Returns the crashes made.
         */
        int crashUntil(Soak soak, BooleanSupplier done, Supplier<String> progress, Runnable beforeCrash)
                throws Exception {
            long deadline = soak.deadline();
            int rounds = 0;
            while (System.nanoTime() < deadline && !done.getAsBoolean()) {
                soak.pause(1000, 5000);
                System.out.println("crash " + ++rounds + ": SIGKILL; " + progress.get());
                beforeCrash.run();
                child.kill();
                if (soak.random.nextBoolean()) soak.pause(0, 2000);
                start();
            }
            return rounds;
        }

        /**
         * Runs an idempotent producer of {@link Soak.CountingProducer} ({@code keys} as it takes them) over a
         * topic while crashing the process, then stops it and crashes once more, at rest.
         */
        Soak.CountingProducer crashWhileProducing(Soak soak, String topic, int keys) throws Exception {
            Soak.CountingProducer producer = new Soak.CountingProducer(bootstrap, topic, PARTITIONS, keys);
            int rounds = crashUntil(soak, () -> producer.error() != null, producer::toString, () -> {});
            producer.close();
            System.out.println("after " + rounds + " crashes: " + producer);
            crash();
            return producer;
        }

        void crash() throws Exception {
            child.kill();
            start();
        }

        /** The leader of each partition of a topic now, for the soak's log ("?" when it cannot be told). */
        String leaders(String topic) {
            try (Admin admin = admin()) {
                return admin
                        .describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(10, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions()
                        .stream()
                        .map(p -> p.leader() == null
                                ? "-"
                                : Integer.toString(p.leader().id()))
                        .toList()
                        .toString();
            } catch (Exception e) {
                return "?";
            }
        }

        /** The sum of a group's committed offsets over the partitions of a topic. */
        long committedTotal(String group, String topic) throws Exception {
            try (Admin admin = admin()) {
                long total = 0;
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS)
                        .entrySet())
                    if (e.getKey().topic().equals(topic) && e.getValue() != null)
                        total += e.getValue().offset();
                return total;
            }
        }

        /** The group's committed offsets, read from the restarted broker, are at least {@code atLeast}. */
        void assertCommittedAtLeast(String group, Map<TopicPartition, Long> atLeast) throws Exception {
            Map<TopicPartition, OffsetAndMetadata> now;
            try (Admin admin = admin()) {
                now = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(60, TimeUnit.SECONDS);
            }
            for (Map.Entry<TopicPartition, Long> e : atLeast.entrySet()) {
                OffsetAndMetadata o = now.get(e.getKey());
                if (o == null || o.offset() < e.getValue())
                    fail(group + " " + e.getKey() + ": committed " + e.getValue() + " before the crash, "
                            + (o == null ? "nothing" : o.offset()) + " after it");
            }
        }

        private void start() throws Exception {
            child = ChildBroker.start(List.of(), data, port, flags, 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (Admin admin = admin()) {
                while (true) {
                    try {
                        if (admin.describeCluster()
                                        .nodes()
                                        .get(5, TimeUnit.SECONDS)
                                        .size()
                                == brokers) return;
                    } catch (Exception e) {
                        if (System.nanoTime() > deadline)
                            throw new IllegalStateException("the broker did not come up:\n" + child.output(), e);
                    }
                    Thread.sleep(100);
                }
            }
        }

        Admin admin() {
            return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        }

        /** The soak's checks passed: its data need not be kept. */
        void passed() {
            passed = true;
        }

        /** Kills the process; deletes the data after a soak that passed, else keeps it to look into. */
        @Override
        public void close() throws InterruptedException {
            child.kill();
            if (!passed) {
                System.out.println("the brokers' data is kept in " + data);
                return;
            }
            try (var paths = Files.walk(data)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (java.io.IOException e) {
                System.out.println("could not delete " + data + ": " + e);
            }
        }
    }

    /**
     * A consumer of a group (assigned, not subscribed) that commits ever higher offsets for the partitions of a
     * topic, one commit every few milliseconds, and keeps the last offsets a commit was told were stored. The
     * offsets are a counter, not positions: a broker stores what a commit asks, as Kafka's does.
     */
    private static final class Committer implements AutoCloseable {
        final String group = "committer";
        final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
        private volatile boolean running = true;
        private volatile int commits, failures;
        private final Thread thread;

        Committer(String bootstrap, String topic) {
            thread = new Thread(
                    () -> {
                        List<TopicPartition> tps = new ArrayList<>();
                        for (int p = 0; p < PARTITIONS; p++) tps.add(new TopicPartition(topic, p));
                        try (KafkaConsumer<String, String> consumer =
                                new KafkaConsumer<>(Soak.consumerProps(bootstrap, group))) {
                            consumer.assign(tps);
                            for (long n = 1; running; n++) {
                                Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
                                for (TopicPartition tp : tps) next.put(tp, new OffsetAndMetadata(n));
                                try {
                                    consumer.commitSync(next, Duration.ofSeconds(10));
                                    next.forEach((tp, o) -> committed.merge(tp, o.offset(), Math::max));
                                    commits++;
                                } catch (KafkaException e) {
                                    failures++;
                                }
                                Thread.sleep(5);
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "soak-committer");
            thread.start();
        }

        @Override
        public String toString() {
            return commits + " offset commits, " + failures + " failed";
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(TimeUnit.MINUTES.toMillis(2));
        }
    }
}
