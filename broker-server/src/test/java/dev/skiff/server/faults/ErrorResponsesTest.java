package dev.skiff.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.ResponseEncoder;
import dev.skiff.protocol.ResponseFrame;
import dev.skiff.protocol.message.CreateTopicsRequestData;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.FindCoordinatorRequestData;
import dev.skiff.protocol.message.HeartbeatRequestData;
import dev.skiff.protocol.message.InitProducerIdRequestData;
import dev.skiff.protocol.message.JoinGroupRequestData;
import dev.skiff.protocol.message.ListOffsetsRequestData;
import dev.skiff.protocol.message.OffsetCommitRequestData;
import dev.skiff.protocol.message.OffsetFetchRequestData;
import dev.skiff.protocol.message.OffsetFetchResponseData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.ProduceResponseData;
import dev.skiff.protocol.message.SyncGroupRequestData;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Error answers mirror the request and encode at every version of their API. */
class ErrorResponsesTest {

    @Test
    void everySupportedApiButMetadataEncodesAtEveryVersion() {
        List<ApiMessage> requests = List.of(
                new ProduceRequestData()
                        .setAcks((short) 1)
                        .setTopicData(List.of(new ProduceRequestData.TopicProduceData()
                                .setName("t")
                                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(2))))),
                new FetchRequestData()
                        .setTopics(List.of(new FetchRequestData.FetchTopic()
                                .setTopic("t")
                                .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0))))),
                new ListOffsetsRequestData()
                        .setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic()
                                .setName("t")
                                .setPartitions(List.of(
                                        new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0))))),
                new FindCoordinatorRequestData().setKey("g").setCoordinatorKeys(List.of("g")),
                new JoinGroupRequestData().setGroupId("g").setMemberId("m"),
                new SyncGroupRequestData().setGroupId("g"),
                new HeartbeatRequestData().setGroupId("g"),
                new OffsetCommitRequestData()
                        .setGroupId("g")
                        .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                                .setName("t")
                                .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition())))),
                new OffsetFetchRequestData()
                        .setGroupId("g")
                        .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                                .setName("t")
                                .setPartitionIndexes(List.of(0, 1)))),
                new InitProducerIdRequestData(),
                new CreateTopicsRequestData()
                        .setTopics(List.of(new CreateTopicsRequestData.CreatableTopic().setName("t"))));
        ResponseEncoder encoder = new ResponseEncoder();
        for (ApiMessage request : requests) {
            ApiKeys api = ApiKeys.forId(request.apiKey());
            assertTrue(ErrorResponses.supports(api), api.toString());
            for (short v = api.lowestVersion(); v <= api.highestVersion(); v++) {
                ApiMessage answer = ErrorResponses.build(request, v, Errors.NOT_LEADER_OR_FOLLOWER);
                ResponseFrame frame = encoder.encode(1, api, v, answer);
                frame.pieces().forEach(ReferenceCountUtil::release);
            }
        }
    }

    @Test
    void errorsSitOnTheRequestedPartitions() {
        ProduceResponseData produce = (ProduceResponseData) ErrorResponses.build(
                new ProduceRequestData()
                        .setAcks((short) -1)
                        .setTopicData(List.of(new ProduceRequestData.TopicProduceData()
                                .setName("t")
                                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(3))))),
                (short) 9,
                Errors.NOT_LEADER_OR_FOLLOWER);
        ProduceResponseData.PartitionProduceResponse p =
                produce.responses().get(0).partitionResponses().get(0);
        assertEquals("t", produce.responses().get(0).name());
        assertEquals(3, p.index());
        assertEquals(Errors.NOT_LEADER_OR_FOLLOWER.code(), p.errorCode());

        FetchResponseData fetch = (FetchResponseData) ErrorResponses.build(
                new FetchRequestData()
                        .setSessionId(5)
                        .setSessionEpoch(2)
                        .setTopics(List.of(new FetchRequestData.FetchTopic()
                                .setTopic("t")
                                .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(1))))),
                (short) 12,
                Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertEquals(5, fetch.sessionId(), "an incremental fetch keeps its session");
        assertEquals(
                Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                fetch.responses().get(0).partitions().get(0).errorCode());
    }

    @Test
    void offsetFetchPutsGroupErrorsAtTheTopAndOthersOnPartitions() {
        OffsetFetchRequestData request = new OffsetFetchRequestData()
                .setGroupId("g")
                .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                        .setName("t")
                        .setPartitionIndexes(List.of(0))));
        OffsetFetchResponseData group =
                (OffsetFetchResponseData) ErrorResponses.build(request, (short) 5, Errors.NOT_COORDINATOR);
        assertEquals(Errors.NOT_COORDINATOR.code(), group.errorCode());
        assertEquals(0, group.topics().get(0).partitions().get(0).errorCode());
        OffsetFetchResponseData partition =
                (OffsetFetchResponseData) ErrorResponses.build(request, (short) 5, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertEquals(0, partition.errorCode());
        assertEquals(
                Errors.UNKNOWN_TOPIC_OR_PARTITION.code(),
                partition.topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    void acksZeroProduceGetsNoAnswerAndEveryApiHasAnErrorAnswer() {
        assertNull(ErrorResponses.build(
                new ProduceRequestData().setAcks((short) 0), (short) 3, Errors.NOT_LEADER_OR_FOLLOWER));
        // Generated for every API now, so any API can be faulted with an error answer.
        Fault fault = new FaultInjector().on(ApiKeys.API_VERSIONS).respondWith(Errors.UNSUPPORTED_VERSION);
        assertTrue(fault.isActive());
        for (ApiKeys api : ApiKeys.values()) assertTrue(ErrorResponses.supports(api), api.toString());
    }
}
