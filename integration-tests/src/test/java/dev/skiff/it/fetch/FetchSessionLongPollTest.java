package dev.skiff.it.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.wire.WireClient;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.server.EmbeddedSkiff;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An incremental fetch that waits (long poll) for data: it is answered with the partition that got records,
 * and the session learns what was sent when the answer goes out, so the next fetch carries nothing new.
 */
class FetchSessionLongPollTest {

    private static final String TOPIC = "long-poll";

    private EmbeddedSkiff broker;

    @AfterEach
    void stop() {
        if (broker != null) broker.close();
    }

    private static FetchRequestData fetch(int sessionId, int epoch, int maxWaitMs, int partitions) {
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopic(TOPIC);
        for (int p = 0; p < partitions; p++) {
            topic.partitions()
                    .add(new FetchRequestData.FetchPartition()
                            .setPartition(p)
                            .setFetchOffset(0)
                            .setPartitionMaxBytes(1 << 16)
                            .setCurrentLeaderEpoch(-1)
                            .setLogStartOffset(-1));
        }
        return new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setSessionId(sessionId)
                .setSessionEpoch(epoch)
                .setTopics(partitions == 0 ? new ArrayList<>() : new ArrayList<>(List.of(topic)));
    }

    private static List<Integer> partitionsOf(FetchResponseData r) {
        List<Integer> out = new ArrayList<>();
        r.responses().forEach(t -> t.partitions().forEach(p -> out.add(p.partitionIndex())));
        return out;
    }

    @Test
    void aWaitingIncrementalFetchAnswersWhatArrivedAndTheSessionRemembersIt() throws Exception {
        broker = EmbeddedSkiff.builder().inMemory().start();
        broker.createTopic(TOPIC, 3);
        try (WireClient c = new WireClient(broker.port())) {
            FetchResponseData full = (FetchResponseData) c.send(ApiKeys.FETCH, 12, fetch(0, 0, 0, 3));
            int id = full.sessionId();
            assertNotEquals(0, id);
            CompletableFuture<FetchResponseData> waiting = CompletableFuture.supplyAsync(
                    () -> (FetchResponseData) c.send(ApiKeys.FETCH, 12, fetch(id, 1, 10_000, 0)));
            try (KafkaProducer<String, String> p = new KafkaProducer<>(
                    java.util.Map.of("bootstrap.servers", broker.bootstrapServers()),
                    new StringSerializer(),
                    new StringSerializer())) {
                p.send(new ProducerRecord<>(TOPIC, 2, "k", "v")).get();
            }
            FetchResponseData woken = waiting.get(10, TimeUnit.SECONDS);
            assertEquals(0, woken.errorCode());
            assertEquals(id, woken.sessionId());
            assertEquals(List.of(2), partitionsOf(woken), "only the partition that got a record");
            assertTrue(woken.responses().get(0).partitions().get(0).records().sizeInBytes() > 0);

            // the client moves partition 2 past the record; nothing else changed
            FetchRequestData next = fetch(id, 2, 0, 0);
            next.topics()
                    .add(new FetchRequestData.FetchTopic()
                            .setTopic(TOPIC)
                            .setPartitions(new ArrayList<>(List.of(new FetchRequestData.FetchPartition()
                                    .setPartition(2)
                                    .setFetchOffset(1)
                                    .setPartitionMaxBytes(1 << 16)
                                    .setCurrentLeaderEpoch(-1)
                                    .setLogStartOffset(-1)))));
            FetchResponseData quiet = (FetchResponseData) c.send(ApiKeys.FETCH, 12, next);
            assertEquals(0, quiet.errorCode());
            assertEquals(List.of(), partitionsOf(quiet), "the high watermark sent is remembered");
        }
    }
}
