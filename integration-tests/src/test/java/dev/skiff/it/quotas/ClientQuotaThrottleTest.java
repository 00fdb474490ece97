package dev.skiff.it.quotas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client byte-rate quotas enforced as Kafka does: a kafka-clients producer under a producer_byte_rate quota sees
 * throttle time (its produce-throttle-time-max metric) while one without a quota does not; over the wire a
 * throttled Produce or Fetch carries throttle_time_ms from Kafka's formula and the broker then reads nothing from
 * the connection for that long (KIP-219), or, for versions before KIP-219, answers only after it; quotas survive a
 * restart and are enforced after it. Only lower bounds of time are asserted (a loaded machine only adds time).
 */
class ClientQuotaThrottleTest {

    private static final String TOPIC = "quota-t";

    /** 120 KB in one request: over a fresh 10 s window at 10 KB/s, about 2 s of throttle. */
    private static final int BIG = 120_000;

    private static final double QUOTA = 10_000;

    @TempDir
    Path dir;

    private static Admin admin(EmbeddedSkiff skiff) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, skiff.bootstrapServers());
        return Admin.create(p);
    }

    private static void setQuota(EmbeddedSkiff skiff, Map<String, String> entity, String key, double value)
            throws Exception {
        try (Admin admin = admin(skiff)) {
            admin.alterClientQuotas(List.of(new ClientQuotaAlteration(
                            new ClientQuotaEntity(entity), List.of(new ClientQuotaAlteration.Op(key, value)))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static ProduceRequestData bigProduce() {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
                .setName(TOPIC)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[BIG]))))));
        return new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30_000).setTopicData(topics);
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /** A throttled Produce v9 is answered at once with its throttle time; the next request waits it out. */
    private static int assertProduceThrottledAndMuted(EmbeddedSkiff skiff, String clientId) throws Exception {
        try (KafkaWire w = new KafkaWire(skiff.host(), skiff.port(), clientId)) {
            ProduceResponseData r = w.send(bigProduce(), 9);
            assertEquals(
                    0,
                    r.responses().iterator().next().partitionResponses().get(0).errorCode());
            int throttle = r.throttleTimeMs();
            // Kafka's formula: (rate - quota) / quota * window, rate = bytes / 10 s window (11 samples of 1 s)
            assertTrue(throttle >= 1_500 && throttle <= 2_600, "throttle_time_ms " + throttle);
            long sent = System.nanoTime();
            w.send(new ApiVersionsRequestData(), 0);
            long waited = millisSince(sent);
            assertTrue(waited >= throttle - 300, "the connection was muted for " + waited + " ms of " + throttle);
            return throttle;
        }
    }

    @Test
    void produceAndFetchOverTheWireAreThrottledAndSurviveRestart() throws Exception {
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder().dataDir(dir).start()) {
            skiff.createTopic(TOPIC, 1);
            // one batch of BIG first, so a fetch of at most 125 KB reads exactly that
            try (KafkaWire w = new KafkaWire(skiff.host(), skiff.port(), "first")) {
                w.send(bigProduce(), 9);
            }
            setQuota(skiff, Map.of(ClientQuotaEntity.CLIENT_ID, "wire-producer"), "producer_byte_rate", QUOTA);
            setQuota(skiff, Map.of(ClientQuotaEntity.CLIENT_ID, "old-producer"), "producer_byte_rate", QUOTA);
            setQuota(skiff, Map.of(ClientQuotaEntity.CLIENT_ID, "wire-consumer"), "consumer_byte_rate", QUOTA);

            // no quota: never throttled
            try (KafkaWire w = new KafkaWire(skiff.host(), skiff.port(), "unmetered")) {
                for (int i = 0; i < 3; i++)
                    assertEquals(0, ((ProduceResponseData) w.send(bigProduce(), 9)).throttleTimeMs());
            }
            assertProduceThrottledAndMuted(skiff, "wire-producer");

            // Produce v5 (before KIP-219): the answer itself comes after the throttle time
            try (KafkaWire w = new KafkaWire(skiff.host(), skiff.port(), "old-producer")) {
                long sent = System.nanoTime();
                ProduceResponseData r = w.send(bigProduce(), 5);
                long waited = millisSince(sent);
                assertTrue(r.throttleTimeMs() >= 1_500, "throttle_time_ms " + r.throttleTimeMs());
                assertTrue(waited >= r.throttleTimeMs() - 300, "answered after " + waited + " ms");
            }

            // a consumer's fetch counts the bytes it is sent
            try (KafkaWire w = new KafkaWire(skiff.host(), skiff.port(), "wire-consumer")) {
                FetchResponseData r = w.send(
                        new FetchRequestData()
                                .setReplicaId(-1)
                                .setMaxWaitMs(0)
                                .setMinBytes(0)
                                .setMaxBytes(125_000)
                                .setTopics(List.of(new FetchRequestData.FetchTopic()
                                        .setTopic(TOPIC)
                                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                                .setPartition(0)
                                                .setFetchOffset(0)
                                                .setPartitionMaxBytes(125_000))))),
                        12);
                assertEquals(0, r.responses().get(0).partitions().get(0).errorCode());
                assertTrue(r.throttleTimeMs() > 0, "fetch throttle_time_ms " + r.throttleTimeMs());
                long sent = System.nanoTime();
                w.send(new ApiVersionsRequestData(), 0);
                assertTrue(millisSince(sent) >= r.throttleTimeMs() - 300, "the fetching connection was muted");
            }

            skiff.restart();
            try (Admin admin = admin(skiff)) {
                Map<ClientQuotaEntity, Map<String, Double>> all = admin.describeClientQuotas(ClientQuotaFilter.all())
                        .entities()
                        .get();
                assertEquals(
                        Map.of("producer_byte_rate", QUOTA),
                        all.get(new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, "wire-producer"))));
                assertEquals(3, all.size(), all.toString());
            }
            // the quota is enforced after the restart (the measuring starts afresh)
            assertProduceThrottledAndMuted(skiff, "wire-producer");
        }
    }

    private static double throttleMax(KafkaProducer<byte[], byte[]> producer) {
        for (Map.Entry<MetricName, ? extends Metric> m : producer.metrics().entrySet())
            if (m.getKey().name().equals("produce-throttle-time-max")
                    && m.getKey().group().equals("producer-metrics"))
                return (Double) m.getValue().metricValue();
        throw new AssertionError("the producer has no produce-throttle-time-max metric");
    }

    /** Sends 50 KB at a time until the producer reports throttle time, at most {@code rounds} times. */
    private static double produceUntilThrottled(EmbeddedSkiff skiff, String clientId, int rounds) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, skiff.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < 50; i++) producer.send(new ProducerRecord<>(TOPIC, new byte[1000]));
                producer.flush();
                if (throttleMax(producer) > 0) return throttleMax(producer);
            }
            return throttleMax(producer);
        }
    }

    @Test
    void aProducerUnderAQuotaIsThrottled() throws Exception {
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder().inMemory().start()) {
            skiff.createTopic(TOPIC, 1);
            // 50 KB/s: about 500 KB in the first 10 s window before the first throttle
            setQuota(skiff, Map.of(ClientQuotaEntity.CLIENT_ID, "metered"), "producer_byte_rate", 50_000);
            double metered = produceUntilThrottled(skiff, "metered", 100);
            assertTrue(metered > 0, "a producer over its quota reports throttle time: " + metered);
            double free = produceUntilThrottled(skiff, "free", 20);
            assertFalse(free > 0, "a producer without a quota is not throttled: " + free);
        }
    }

    @Test
    void connectionsOverTheirIpRateAreHeldThenClosed() throws Exception {
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder().inMemory().start()) {
            // one connection per second: over a fresh 10 s window the 11th within it is over the quota
            setQuota(skiff, Map.of(ClientQuotaEntity.IP, "127.0.0.1"), "connection_creation_rate", 1);
            int answered = 0;
            boolean refused = false;
            while (!refused && answered < 30) {
                try (KafkaWire w = new KafkaWire("127.0.0.1", skiff.port(), "conn-" + answered)) {
                    w.send(new ApiVersionsRequestData(), 0);
                    answered++;
                } catch (java.io.IOException e) {
                    refused = true; // held unread, then closed: the answer never comes
                }
            }
            // connections made before the quota existed are not counted; 10 fit in the first window (fewer if the
            // admin client connected again after the quota took effect), more if the window slid on a slow machine
            assertTrue(refused, "no connection was refused in " + answered);
            assertTrue(answered >= 8, "refused after only " + answered);
        }
        // without the quota every connection is answered
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder().inMemory().start()) {
            setQuota(skiff, Map.of(ClientQuotaEntity.IP, "10.9.9.9"), "connection_creation_rate", 1);
            for (int i = 0; i < 20; i++) {
                try (KafkaWire w = new KafkaWire("127.0.0.1", skiff.port(), "conn-" + i)) {
                    w.send(new ApiVersionsRequestData(), 0);
                }
            }
        }
    }

    @Test
    void requestTimeOverItsPercentageIsThrottledForAtMostOneWindow() throws Exception {
        try (EmbeddedSkiff skiff = EmbeddedSkiff.builder().inMemory().start()) {
            skiff.createTopic(TOPIC, 1);
            // a hundred-thousandth of a percent of one thread: any request is over it
            setQuota(skiff, Map.of(ClientQuotaEntity.CLIENT_ID, "busy"), "request_percentage", 0.00001);
            MetadataRequestData metadata = new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC)));
            try (KafkaWire w = new KafkaWire(skiff.host(), skiff.port(), "busy")) {
                MetadataResponseData r = w.send(metadata, 12);
                int throttle = r.throttleTimeMs();
                // Kafka's request quota holds a client at most quota.window.size.seconds
                assertTrue(throttle > 0 && throttle <= 1000, "throttle_time_ms " + throttle);
                long sent = System.nanoTime();
                w.send(new ApiVersionsRequestData(), 0);
                assertTrue(millisSince(sent) >= throttle - 300, "the connection was muted");
            }
            try (KafkaWire w = new KafkaWire(skiff.host(), skiff.port(), "idle")) {
                MetadataResponseData r = w.send(metadata, 12);
                assertEquals(0, r.throttleTimeMs(), "a client without a request quota");
            }
        }
    }
}
