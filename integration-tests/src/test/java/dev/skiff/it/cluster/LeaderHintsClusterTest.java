package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.cluster.PartitionRegistration;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.it.Poll;
import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.junit.Skiff;
import dev.skiff.server.SkiffCluster;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * KIP-951's leader hints on three brokers, read with kafka-clients' own message classes: after a leadership
 * move, the old leader answers Produce (v10+), Fetch (v16+), ShareFetch and ShareAcknowledge for the partition
 * with NOT_LEADER_OR_FOLLOWER, the new leader's id and epoch, and its address, as Kafka does, so that a client
 * goes there without a metadata round trip first. Produce v9 cannot carry them and gets none.
 */
@Skiff(brokers = 3, properties = "default.replication.factor=3")
class LeaderHintsClusterTest {

    private static final String TOPIC = "hinted";
    private static final String MEMBER = Uuid.randomUuid().toString();

    @Test
    void aFormerLeaderNamesTheNewOne(SkiffCluster cluster) throws Exception {
        cluster.createTopic(TOPIC, 1, 3);
        int former = cluster.leader(TOPIC, 0);
        int next = (former + 1) % 3;
        Poll.until(Duration.ofSeconds(30), "the ISR is full", () -> isr(cluster).size(), n -> n == 3);
        cluster.moveLeader(TOPIC, 0, next);
        TopicImage topic = cluster.image().topic(TOPIC);
        PartitionRegistration moved = topic.partitions().get(0);
        assertEquals(next, moved.leader());
        Uuid topicId = new Uuid(topic.id().mostSignificantBits(), topic.id().leastSignificantBits());

        Hint expected = new Hint(
                Errors.NOT_LEADER_OR_FOLLOWER.code(),
                next,
                moved.leaderEpoch(),
                List.of(endpoint(next, cluster.host(next), cluster.port(next))));
        try (KafkaWire wire = new KafkaWire(cluster.host(former), cluster.port(former))) {
            // the former leader may apply the move a moment after the controller made it
            ProduceResponseData produced = Poll.until(
                    Duration.ofSeconds(30),
                    "the former leader refuses the produce",
                    () -> wire.<ProduceResponseData>send(produce(), 11),
                    r -> partition(r).errorCode() == Errors.NOT_LEADER_OR_FOLLOWER.code());
            var pp = partition(produced);
            assertEquals(
                    expected,
                    Hint.of(
                            pp.errorCode(),
                            pp.currentLeader().leaderId(),
                            pp.currentLeader().leaderEpoch(),
                            produced.nodeEndpoints().stream().map(e -> endpoint(e.nodeId(), e.host(), e.port()))),
                    "Produce v11");

            ProduceResponseData old = wire.send(produce(), 9);
            var op = partition(old);
            assertEquals(
                    new Hint(Errors.NOT_LEADER_OR_FOLLOWER.code(), -1, -1, List.of()),
                    Hint.of(
                            op.errorCode(),
                            op.currentLeader().leaderId(),
                            op.currentLeader().leaderEpoch(),
                            old.nodeEndpoints().stream().map(e -> endpoint(e.nodeId(), e.host(), e.port()))),
                    "Produce v9 has no such fields");

            FetchResponseData fetched = wire.send(fetch(topicId), 16);
            var fp = fetched.responses().get(0).partitions().get(0);
            assertEquals(
                    expected,
                    Hint.of(
                            fp.errorCode(),
                            fp.currentLeader().leaderId(),
                            fp.currentLeader().leaderEpoch(),
                            fetched.nodeEndpoints().stream().map(e -> endpoint(e.nodeId(), e.host(), e.port()))),
                    "Fetch v16");

            ShareFetchResponseData shareFetched = wire.send(shareFetch(topicId), 1);
            assertEquals(Errors.NONE.code(), shareFetched.errorCode());
            var sp = shareFetched.responses().iterator().next().partitions().get(0);
            assertEquals(
                    expected,
                    Hint.of(
                            sp.errorCode(),
                            sp.currentLeader().leaderId(),
                            sp.currentLeader().leaderEpoch(),
                            shareFetched.nodeEndpoints().stream().map(e -> endpoint(e.nodeId(), e.host(), e.port()))),
                    "ShareFetch v1");

            // the share session the fetch opened continues with epoch 1
            ShareAcknowledgeResponseData acked = wire.send(shareAcknowledge(topicId), 1);
            assertEquals(Errors.NONE.code(), acked.errorCode());
            var ap = acked.responses().iterator().next().partitions().get(0);
            assertEquals(
                    expected,
                    Hint.of(
                            ap.errorCode(),
                            ap.currentLeader().leaderId(),
                            ap.currentLeader().leaderEpoch(),
                            acked.nodeEndpoints().stream().map(e -> endpoint(e.nodeId(), e.host(), e.port()))),
                    "ShareAcknowledge v1");
        }

        // the leader itself answers without hints
        try (KafkaWire wire = new KafkaWire(cluster.host(next), cluster.port(next))) {
            ProduceResponseData produced = wire.send(produce(), 11);
            assertEquals(Errors.NONE.code(), partition(produced).errorCode());
            assertEquals(-1, partition(produced).currentLeader().leaderId());
            assertTrue(produced.nodeEndpoints().isEmpty());
        }
    }

    private static List<Integer> isr(SkiffCluster cluster) {
        return cluster.image().topic(TOPIC).partitions().get(0).isr();
    }

    /** What a partition's answer says of its leader: error, current_leader, and the answer's node_endpoints. */
    private record Hint(short error, int leaderId, int leaderEpoch, List<String> endpoints) {
        static Hint of(short error, int leaderId, int leaderEpoch, java.util.stream.Stream<String> endpoints) {
            return new Hint(error, leaderId, leaderEpoch, endpoints.toList());
        }
    }

    /** A node endpoint as the hints compare them: id@host:port. */
    private static String endpoint(int id, String host, int port) {
        return id + "@" + host + ":" + port;
    }

    private static ProduceResponseData.PartitionProduceResponse partition(ProduceResponseData r) {
        return r.responses().iterator().next().partitionResponses().get(0);
    }

    private static ProduceRequestData produce() {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
                .setName(TOPIC)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))))));
        return new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30_000).setTopicData(topics);
    }

    private static FetchRequestData fetch(Uuid topicId) {
        return new FetchRequestData()
                .setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(-1))
                .setMaxWaitMs(0)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setSessionId(0)
                .setSessionEpoch(-1)
                .setTopics(List.of(new FetchRequestData.FetchTopic()
                        .setTopicId(topicId)
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(0)
                                .setPartitionMaxBytes(1 << 20)))));
    }

    private static ShareFetchRequestData shareFetch(Uuid topicId) {
        ShareFetchRequestData.FetchPartitionCollection parts = new ShareFetchRequestData.FetchPartitionCollection();
        parts.add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
        ShareFetchRequestData.FetchTopicCollection topics = new ShareFetchRequestData.FetchTopicCollection();
        topics.add(new ShareFetchRequestData.FetchTopic().setTopicId(topicId).setPartitions(parts));
        return new ShareFetchRequestData()
                .setGroupId("hinted-share")
                .setMemberId(MEMBER)
                .setShareSessionEpoch(0)
                .setMaxWaitMs(0)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setMaxRecords(100)
                .setBatchSize(100)
                .setTopics(topics);
    }

    private static ShareAcknowledgeRequestData shareAcknowledge(Uuid topicId) {
        ShareAcknowledgeRequestData.AcknowledgePartitionCollection parts =
                new ShareAcknowledgeRequestData.AcknowledgePartitionCollection();
        parts.add(new ShareAcknowledgeRequestData.AcknowledgePartition()
                .setPartitionIndex(0)
                .setAcknowledgementBatches(List.of(new ShareAcknowledgeRequestData.AcknowledgementBatch()
                        .setFirstOffset(0)
                        .setLastOffset(0)
                        .setAcknowledgeTypes(List.of((byte) 1)))));
        ShareAcknowledgeRequestData.AcknowledgeTopicCollection topics =
                new ShareAcknowledgeRequestData.AcknowledgeTopicCollection();
        topics.add(new ShareAcknowledgeRequestData.AcknowledgeTopic()
                .setTopicId(topicId)
                .setPartitions(parts));
        return new ShareAcknowledgeRequestData()
                .setGroupId("hinted-share")
                .setMemberId(MEMBER)
                .setShareSessionEpoch(1)
                .setTopics(topics);
    }
}
