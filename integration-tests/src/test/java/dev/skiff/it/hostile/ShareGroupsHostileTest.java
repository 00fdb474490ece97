package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.Poll;
import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * ShareGroupHeartbeat, ShareFetch and ShareAcknowledge abused over a real socket: acknowledgements out of range,
 * backwards, overlapping, of Long.MAX_VALUE offsets and 100,000 types; session epochs that were never handed
 * out; thousands of unknown and out-of-range partitions in one fetch; a topic of 1,000 partitions fetched whole;
 * sessions past the broker's cap; heartbeats with absurd epochs, names and subscriptions. Each gets its error, the
 * member's records stay as they were until it acknowledges them properly, other clients are served, and after a
 * restart the accepted records are not delivered again.
 */
class ShareGroupsHostileTest {

    private static final String GROUP = "hostile-share";
    private static final String TOPIC = "share-hostile";
    private static final String WIDE = "share-wide";
    private static final int WIDE_PARTITIONS = 1000;

    @Test
    void abusiveShareRequestsAreRefusedAndTheBrokerSurvives() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .property("share.auto.offset.reset", "earliest")
                .property("group.share.max.share.sessions", "50")
                .start()) {
            Survival survival = Survival.before(broker);
            broker.createTopic(TOPIC, 1);
            try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(WIDE, WIDE_PARTITIONS, (short) 1)))
                        .all()
                        .get(60, TimeUnit.SECONDS);
            }
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                produce(wire, TOPIC, 5);
                Uuid topicId = topicId(wire, TOPIC);
                String member = Uuid.randomUuid().toString();
                ShareGroupHeartbeatResponseData joined = heartbeat(wire, GROUP, member, 0, List.of(TOPIC, WIDE));
                assertEquals(Errors.NONE.code(), joined.errorCode());
                int[] epoch = {0};
                ShareFetchResponseData first = fetch(wire, member, epoch[0]++, 0, topicId, List.of(0));
                assertEquals(List.of("0-4@1"), acquired(first), "the member holds all five records");

                // acknowledgements that are not what the member holds
                assertEquals(
                        Errors.INVALID_REQUEST,
                        ackError(fetch(
                                wire,
                                member,
                                epoch[0]++,
                                0,
                                topicId,
                                List.of(0),
                                batch(Long.MAX_VALUE - 1, Long.MAX_VALUE, 1))));
                assertEquals(
                        Errors.INVALID_REQUEST,
                        ackError(fetch(wire, member, epoch[0]++, 0, topicId, List.of(0), batch(0, Long.MAX_VALUE, 1))));
                assertEquals(
                        Errors.INVALID_REQUEST,
                        ackError(fetch(wire, member, epoch[0]++, 0, topicId, List.of(0), batch(-5, -1, 1))));
                assertEquals(
                        Errors.INVALID_REQUEST,
                        ackError(fetch(wire, member, epoch[0]++, 0, topicId, List.of(0), batch(3, 1, 1))));
                assertEquals(
                        Errors.INVALID_REQUEST,
                        ackError(fetch(
                                wire, member, epoch[0]++, 0, topicId, List.of(0), batch(0, 3, 1), batch(2, 4, 1))),
                        "overlapping batches");
                assertEquals(
                        Errors.INVALID_REQUEST,
                        ackError(fetch(wire, member, epoch[0]++, 0, topicId, List.of(0), batch(0, 4, -7))),
                        "an unknown acknowledge type");
                List<Byte> many = new ArrayList<>(Collections.nCopies(100_000, (byte) 1));
                assertEquals(
                        Errors.INVALID_REQUEST,
                        ackError(fetch(
                                wire,
                                member,
                                epoch[0]++,
                                0,
                                topicId,
                                List.of(0),
                                new ShareFetchRequestData.AcknowledgementBatch()
                                        .setFirstOffset(0)
                                        .setLastOffset(4)
                                        .setAcknowledgeTypes(many))),
                        "100,000 types for five offsets");
                ShareAcknowledgeResponseData foreign = shareAck(wire, member, epoch[0]++, Uuid.randomUuid(), 0, 0, 4);
                assertEquals(
                        Errors.UNKNOWN_TOPIC_ID.code(),
                        foreign.responses()
                                .iterator()
                                .next()
                                .partitions()
                                .iterator()
                                .next()
                                .errorCode());

                // session epochs never handed out
                for (int bad : new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, -2, epoch[0] + 100})
                    assertEquals(
                            Errors.INVALID_SHARE_SESSION_EPOCH.code(),
                            fetch(wire, member, bad, 0, topicId, List.of(0)).errorCode(),
                            "epoch " + bad);
                assertEquals(
                        Errors.SHARE_SESSION_NOT_FOUND.code(),
                        fetch(wire, "nobody", 7, 0, topicId, List.of(0)).errorCode());
                assertEquals(
                        Errors.INVALID_SHARE_SESSION_EPOCH.code(),
                        shareAck(wire, member, 0, topicId, 0, 0, 4).errorCode());

                // thousands of partitions that are not there: each answered, none kept in the session
                List<Integer> outOfRange = new ArrayList<>();
                for (int i = 1; i <= 5000; i++) outOfRange.add(i);
                ShareFetchResponseData wide = fetch(wire, member, epoch[0]++, 0, topicId, outOfRange);
                assertEquals(
                        5000,
                        wide.responses().iterator().next().partitions().stream()
                                .filter(p -> p.errorCode() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                                .count());
                ShareFetchRequestData unknownTopics = request(member, epoch[0]++, 0);
                for (int i = 0; i < 3000; i++) unknownTopics.topics().add(topic(Uuid.randomUuid(), List.of(0)));
                ShareFetchResponseData unknown = wire.send(unknownTopics, 1);
                assertEquals(Errors.NONE.code(), unknown.errorCode());
                assertEquals(
                        3000,
                        unknown.responses().stream()
                                .filter(t ->
                                        t.partitions().iterator().next().errorCode() == Errors.UNKNOWN_TOPIC_ID.code())
                                .count());

                // nothing of the above touched the records: the member accepts them now
                ShareFetchResponseData accepted =
                        fetch(wire, member, epoch[0]++, 0, topicId, List.of(0), batch(0, 4, 1));
                assertEquals(Errors.NONE, ackError(accepted));

                // a topic of 1,000 partitions fetched whole by a second member
                produce(wire, WIDE, 1);
                Uuid wideId = topicId(wire, WIDE);
                List<Integer> all = new ArrayList<>();
                for (int i = 0; i < WIDE_PARTITIONS; i++) all.add(i);
                String second = Uuid.randomUuid().toString();
                assertEquals(
                        Errors.NONE.code(),
                        heartbeat(wire, GROUP, second, 0, List.of(WIDE)).errorCode());
                ShareFetchResponseData whole = fetch(wire, second, 0, 0, wideId, all);
                assertEquals(Errors.NONE.code(), whole.errorCode());
                assertEquals(List.of("0-0@1"), acquired(whole), "the one record of the wide topic");

                // heartbeats with absurd values
                assertEquals(
                        Errors.INVALID_REQUEST.code(),
                        heartbeat(wire, GROUP, "m", Integer.MIN_VALUE, null).errorCode());
                assertEquals(
                        Errors.INVALID_REQUEST.code(),
                        heartbeat(wire, GROUP, "m", 0, List.of("x".repeat(300))).errorCode());
                List<String> names = new ArrayList<>();
                for (int i = 0; i < 10_000; i++) names.add("no-such-topic-" + i);
                ShareGroupHeartbeatResponseData wideSubscription = heartbeat(wire, GROUP, "m", 0, names);
                assertEquals(Errors.NONE.code(), wideSubscription.errorCode());
                assertTrue(wideSubscription.assignment().topicPartitions().isEmpty());

                // more sessions than the broker keeps
                Errors last = Errors.NONE;
                for (int i = 0; i < 60 && last == Errors.NONE; i++)
                    last = Errors.forCode(
                            fetch(wire, "flood-" + i, 0, 0, topicId, List.of(0)).errorCode());
                assertEquals(Errors.SHARE_SESSION_LIMIT_REACHED, last);
                // the member's own session still works
                assertEquals(
                        Errors.NONE.code(),
                        fetch(wire, member, epoch[0]++, 0, topicId, List.of(0)).errorCode());
            }
            survival.assertServedAndRestartsIntact();

            // after the restart the accepted records are done: only a new one is delivered
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                Uuid topicId = topicId(wire, TOPIC);
                produce(wire, TOPIC, 1);
                String member = Uuid.randomUuid().toString();
                assertEquals(
                        Errors.NONE.code(),
                        heartbeat(wire, GROUP, member, 0, List.of(TOPIC)).errorCode());
                int[] epoch = {0};
                List<String> got = Poll.until(
                        "the record produced after the restart",
                        () -> acquired(fetch(wire, member, epoch[0]++, 200, topicId, List.of(0))),
                        l -> !l.isEmpty());
                assertEquals(List.of("5-5@1"), got);
            }
        }
    }

    private static ShareGroupHeartbeatResponseData heartbeat(
            KafkaWire wire, String group, String member, int epoch, List<String> topics) throws Exception {
        return wire.send(
                new ShareGroupHeartbeatRequestData()
                        .setGroupId(group)
                        .setMemberId(member)
                        .setMemberEpoch(epoch)
                        .setSubscribedTopicNames(topics),
                1);
    }

    private static ShareFetchRequestData request(String member, int epoch, int maxWaitMs) {
        return new ShareFetchRequestData()
                .setGroupId(GROUP)
                .setMemberId(member)
                .setShareSessionEpoch(epoch)
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(1)
                .setMaxBytes(1 << 20)
                .setMaxRecords(100)
                .setBatchSize(100);
    }

    private static ShareFetchRequestData.FetchTopic topic(
            Uuid topicId, List<Integer> partitions, ShareFetchRequestData.AcknowledgementBatch... acks) {
        ShareFetchRequestData.FetchPartitionCollection parts = new ShareFetchRequestData.FetchPartitionCollection();
        for (int p : partitions)
            parts.add(new ShareFetchRequestData.FetchPartition()
                    .setPartitionIndex(p)
                    .setAcknowledgementBatches(p == partitions.get(0) ? List.of(acks) : List.of()));
        return new ShareFetchRequestData.FetchTopic().setTopicId(topicId).setPartitions(parts);
    }

    private static ShareFetchResponseData fetch(
            KafkaWire wire,
            String member,
            int epoch,
            int maxWaitMs,
            Uuid topicId,
            List<Integer> partitions,
            ShareFetchRequestData.AcknowledgementBatch... acks)
            throws Exception {
        ShareFetchRequestData r = request(member, epoch, maxWaitMs);
        r.topics().add(topic(topicId, partitions, acks));
        return wire.send(r, 1);
    }

    private static ShareAcknowledgeResponseData shareAck(
            KafkaWire wire, String member, int epoch, Uuid topicId, int partition, long first, long last)
            throws Exception {
        ShareAcknowledgeRequestData.AcknowledgePartitionCollection parts =
                new ShareAcknowledgeRequestData.AcknowledgePartitionCollection();
        parts.add(new ShareAcknowledgeRequestData.AcknowledgePartition()
                .setPartitionIndex(partition)
                .setAcknowledgementBatches(List.of(new ShareAcknowledgeRequestData.AcknowledgementBatch()
                        .setFirstOffset(first)
                        .setLastOffset(last)
                        .setAcknowledgeTypes(List.of((byte) 1)))));
        ShareAcknowledgeRequestData.AcknowledgeTopicCollection topics =
                new ShareAcknowledgeRequestData.AcknowledgeTopicCollection();
        topics.add(new ShareAcknowledgeRequestData.AcknowledgeTopic()
                .setTopicId(topicId)
                .setPartitions(parts));
        return wire.send(
                new ShareAcknowledgeRequestData()
                        .setGroupId(GROUP)
                        .setMemberId(member)
                        .setShareSessionEpoch(epoch)
                        .setTopics(topics),
                1);
    }

    private static ShareFetchRequestData.AcknowledgementBatch batch(long first, long last, int type) {
        return new ShareFetchRequestData.AcknowledgementBatch()
                .setFirstOffset(first)
                .setLastOffset(last)
                .setAcknowledgeTypes(List.of((byte) type));
    }

    private static List<String> acquired(ShareFetchResponseData r) {
        List<String> out = new ArrayList<>();
        for (var t : r.responses())
            for (var p : t.partitions())
                for (var a : p.acquiredRecords())
                    out.add(a.firstOffset() + "-" + a.lastOffset() + "@" + a.deliveryCount());
        return out;
    }

    private static Errors ackError(ShareFetchResponseData r) {
        assertEquals(Errors.NONE.code(), r.errorCode(), "the fetch itself");
        return Errors.forCode(
                r.responses().iterator().next().partitions().iterator().next().acknowledgeErrorCode());
    }

    private static Uuid topicId(KafkaWire wire, String topic) throws Exception {
        MetadataResponseData m = wire.send(
                new MetadataRequestData()
                        .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic))),
                12);
        return m.topics().iterator().next().topicId();
    }

    private static void produce(KafkaWire wire, String topic, int count) throws Exception {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++)
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, ("h" + i).getBytes(StandardCharsets.UTF_8));
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        topics.add(new ProduceRequestData.TopicProduceData()
                .setName(topic)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0)
                        .setRecords(MemoryRecords.withRecords(Compression.NONE, records)))));
        wire.send(
                new ProduceRequestData()
                        .setAcks((short) -1)
                        .setTimeoutMs(10_000)
                        .setTopicData(topics),
                9);
    }
}
