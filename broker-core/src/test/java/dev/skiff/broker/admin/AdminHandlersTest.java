package dev.skiff.broker.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.broker.Broker;
import dev.skiff.broker.LogFactory;
import dev.skiff.broker.RequestContext;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AlterConfigsRequestData;
import dev.skiff.protocol.message.AlterConfigsResponseData;
import dev.skiff.protocol.message.CreateTopicsRequestData;
import dev.skiff.protocol.message.CreateTopicsResponseData;
import dev.skiff.protocol.message.OffsetForLeaderEpochRequestData;
import dev.skiff.protocol.message.OffsetForLeaderEpochResponseData;
import dev.skiff.protocol.records.CompressionType;
import dev.skiff.protocol.records.RecordBatchBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Handlers called directly, for requests kafka-clients 4.x no longer sends (legacy AlterConfigs) and edge cases. */
class AdminHandlersTest {

    private final Broker broker = new Broker(BrokerConfig.of(Map.of("num.partitions", "2")), LogFactory.memory());

    @AfterEach
    void close() {
        broker.close();
    }

    @SuppressWarnings("unchecked")
    private <T extends ApiMessage> T call(ApiKeys api, int version, ApiMessage request) {
        return (T) broker.handle(new RequestContext(api, (short) version, 1, "test", "127.0.0.1:1", 1), request)
                .join();
    }

    private CreateTopicsResponseData.CreatableTopicResult create(
            int version, CreateTopicsRequestData.CreatableTopic t) {
        CreateTopicsResponseData r =
                call(ApiKeys.CREATE_TOPICS, version, new CreateTopicsRequestData().setTopics(List.of(t)));
        return r.topics().get(0);
    }

    private static CreateTopicsRequestData.CreatableTopic topic(String name, int partitions, int rf) {
        return new CreateTopicsRequestData.CreatableTopic()
                .setName(name)
                .setNumPartitions(partitions)
                .setReplicationFactor((short) rf);
    }

    @Test
    void createTopicsErrorsAreKafkas() {
        assertEquals(
                Errors.INVALID_PARTITIONS.code(), create(7, topic("zero", 0, 1)).errorCode());
        assertEquals(
                Errors.INVALID_REPLICATION_FACTOR.code(),
                create(7, topic("rf2", 1, 2)).errorCode());
        assertEquals(
                Errors.INVALID_TOPIC_EXCEPTION.code(),
                create(7, topic("..", 1, 1)).errorCode());
        assertEquals(Errors.NONE.code(), create(7, topic("a.b", -1, -1)).errorCode());
        assertEquals(2, broker.topics().get("a.b").partitions().size());
        assertEquals(
                Errors.TOPIC_ALREADY_EXISTS.code(),
                create(2, topic("a.b", 1, 1)).errorCode());
        assertEquals(
                Errors.INVALID_TOPIC_EXCEPTION.code(),
                create(7, topic("a_b", 1, 1)).errorCode(),
                "collides with a.b");
        CreateTopicsResponseData both = call(
                ApiKeys.CREATE_TOPICS,
                7,
                new CreateTopicsRequestData().setTopics(List.of(topic("dup", 1, 1), topic("dup", 1, 1))));
        assertEquals(Errors.INVALID_REQUEST.code(), both.topics().get(0).errorCode());
    }

    @Test
    void legacyAlterConfigsReplacesTheWholeSetAndReachesTheLog() {
        broker.topics().create("t", 1, Map.of("retention.ms", "1000", "segment.ms", "2000"));
        AlterConfigsRequestData req = new AlterConfigsRequestData()
                .setResources(List.of(new AlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(ConfigResources.TOPIC)
                        .setResourceName("t")
                        .setConfigs(List.of(new AlterConfigsRequestData.AlterableConfig()
                                .setName("retention.bytes")
                                .setValue("4096")))));
        AlterConfigsResponseData r = call(ApiKeys.ALTER_CONFIGS, 2, req);
        assertEquals(Errors.NONE.code(), r.responses().get(0).errorCode());
        assertEquals(Map.of("retention.bytes", "4096"), broker.topics().get("t").configs());

        req.resources()
                .get(0)
                .setConfigs(List.of(new AlterConfigsRequestData.AlterableConfig()
                        .setName("retention.bytes")
                        .setValue("lots")));
        r = call(ApiKeys.ALTER_CONFIGS, 2, req);
        assertEquals(Errors.INVALID_CONFIG.code(), r.responses().get(0).errorCode());
        req.resources().get(0).setResourceName("missing");
        assertEquals(
                Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                ((AlterConfigsResponseData) call(ApiKeys.ALTER_CONFIGS, 2, req))
                        .responses()
                        .get(0)
                        .errorCode());
        req.resources().get(0).setResourceType(ConfigResources.BROKER).setResourceName("0");
        assertEquals(
                Errors.INVALID_REQUEST.code(),
                ((AlterConfigsResponseData) call(ApiKeys.ALTER_CONFIGS, 2, req))
                        .responses()
                        .get(0)
                        .errorCode());
    }

    @Test
    void offsetForLeaderEpochHasOneEpochZero() {
        broker.topics().create("e", 1, Map.of());
        broker.topics()
                .partition("e", 0)
                .append(new RecordBatchBuilder(CompressionType.NONE)
                        .append(1L, "k".getBytes(), "v".getBytes())
                        .append(2L, "k".getBytes(), "w".getBytes())
                        .build());
        OffsetForLeaderEpochResponseData.EpochEndOffset zero = epoch(0, 0);
        assertEquals(0, zero.leaderEpoch());
        assertEquals(2, zero.endOffset());
        OffsetForLeaderEpochResponseData.EpochEndOffset later = epoch(-1, 3);
        assertEquals(-1, later.leaderEpoch());
        assertEquals(-1, later.endOffset());
        assertEquals(Errors.UNKNOWN_LEADER_EPOCH.code(), epoch(5, 0).errorCode());
    }

    private OffsetForLeaderEpochResponseData.EpochEndOffset epoch(int current, int asked) {
        OffsetForLeaderEpochRequestData req = new OffsetForLeaderEpochRequestData()
                .setReplicaId(-1)
                .setTopics(List.of(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                        .setTopic("e")
                        .setPartitions(List.of(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                .setPartition(0)
                                .setCurrentLeaderEpoch(current)
                                .setLeaderEpoch(asked)))));
        OffsetForLeaderEpochResponseData r = call(ApiKeys.OFFSET_FOR_LEADER_EPOCH, 4, req);
        return r.topics().get(0).partitions().get(0);
    }
}
