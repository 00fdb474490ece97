package dev.skiff.server.faults;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.CreateTopicsRequestData;
import dev.skiff.protocol.message.CreateTopicsResponseData;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.FindCoordinatorRequestData;
import dev.skiff.protocol.message.FindCoordinatorResponseData;
import dev.skiff.protocol.message.HeartbeatResponseData;
import dev.skiff.protocol.message.InitProducerIdResponseData;
import dev.skiff.protocol.message.JoinGroupRequestData;
import dev.skiff.protocol.message.JoinGroupResponseData;
import dev.skiff.protocol.message.ListOffsetsRequestData;
import dev.skiff.protocol.message.ListOffsetsResponseData;
import dev.skiff.protocol.message.MetadataResponseData;
import dev.skiff.protocol.message.OffsetCommitRequestData;
import dev.skiff.protocol.message.OffsetCommitResponseData;
import dev.skiff.protocol.message.OffsetFetchRequestData;
import dev.skiff.protocol.message.OffsetFetchResponseData;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.ProduceResponseData;
import dev.skiff.protocol.message.SyncGroupResponseData;
import dev.skiff.protocol.types.BufferRecords;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The answer a broker failing with one error code would give: the request's topics and partitions mirrored,
 * each carrying the error, where the API has them; the top-level error code otherwise. Metadata is the
 * exception: the broker answers it and the error is set on the topics the fault is about, so the client
 * still learns the brokers and keeps retrying, as with a leader election in progress.
 */
public final class ErrorResponses {

    private static final String MESSAGE = "Injected by a Skiff fault";

    private static final Set<ApiKeys> SUPPORTED = EnumSet.of(ApiKeys.PRODUCE, ApiKeys.FETCH, ApiKeys.METADATA,
            ApiKeys.LIST_OFFSETS, ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT,
            ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.INIT_PRODUCER_ID, ApiKeys.CREATE_TOPICS);

    /** Errors that concern the group as a whole; others go on the partitions of an OffsetFetch answer. */
    private static final Set<Errors> GROUP_LEVEL = EnumSet.of(Errors.COORDINATOR_LOAD_IN_PROGRESS,
            Errors.COORDINATOR_NOT_AVAILABLE, Errors.NOT_COORDINATOR, Errors.GROUP_AUTHORIZATION_FAILED,
            Errors.GROUP_ID_NOT_FOUND, Errors.INVALID_GROUP_ID, Errors.UNKNOWN_MEMBER_ID, Errors.STALE_MEMBER_EPOCH);

    public static boolean supports(ApiKeys api) { return SUPPORTED.contains(api); }

    public static Set<ApiKeys> supported() { return EnumSet.copyOf(SUPPORTED); }

    /**
     * The error answer to {@code request}; null for an acks=0 produce, which gets no answer.
     * {@code topic} narrows a Metadata error to one topic (null: every topic in the answer).
     */
    public static CompletableFuture<ApiMessage> answer(Broker broker, RequestContext ctx, ApiMessage request,
                                                       Errors error, String topic) {
        if (ctx.api() == ApiKeys.METADATA) {
            return broker.handle(ctx, request).thenApply(r -> withTopicErrors((MetadataResponseData) r, error, topic));
        }
        return CompletableFuture.completedFuture(build(request, ctx.apiVersion(), error));
    }

    /** The error answer to a request of any supported API but Metadata. */
    public static ApiMessage build(ApiMessage request, short version, Errors error) {
        short code = error.code();
        if (request instanceof ProduceRequestData r) return r.acks() == 0 ? null : produce(r, code);
        if (request instanceof FetchRequestData r) return fetch(r, code);
        if (request instanceof ListOffsetsRequestData r) return listOffsets(r, code);
        if (request instanceof FindCoordinatorRequestData r) return findCoordinator(r, code);
        if (request instanceof JoinGroupRequestData r)
            return new JoinGroupResponseData().setErrorCode(code).setMemberId(r.memberId());
        if (request instanceof OffsetCommitRequestData r) return offsetCommit(r, code);
        if (request instanceof OffsetFetchRequestData r) return offsetFetch(r, error);
        if (request instanceof CreateTopicsRequestData r) return createTopics(r, code);
        return switch (ApiKeys.forId(request.apiKey())) {
            case SYNC_GROUP -> new SyncGroupResponseData().setErrorCode(code);
            case HEARTBEAT -> new HeartbeatResponseData().setErrorCode(code);
            case INIT_PRODUCER_ID -> new InitProducerIdResponseData().setErrorCode(code)
                    .setProducerId(-1).setProducerEpoch((short) -1);
            default -> throw new IllegalArgumentException("No error answer for " + ApiKeys.forId(request.apiKey())
                    + "; supported: " + SUPPORTED);
        };
    }

    private static ProduceResponseData produce(ProduceRequestData r, short code) {
        ProduceResponseData out = new ProduceResponseData();
        for (ProduceRequestData.TopicProduceData t : r.topicData()) {
            ProduceResponseData.TopicProduceResponse tr = new ProduceResponseData.TopicProduceResponse()
                    .setName(t.name()).setTopicId(t.topicId());
            for (ProduceRequestData.PartitionProduceData p : t.partitionData()) {
                tr.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(p.index())
                        .setErrorCode(code).setErrorMessage(MESSAGE)
                        .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1));
            }
            out.responses().add(tr);
        }
        return out;
    }

    private static FetchResponseData fetch(FetchRequestData r, short code) {
        // An incremental fetch keeps its session; a full one is answered without creating any.
        FetchResponseData out = new FetchResponseData().setSessionId(r.sessionEpoch() > 0 ? r.sessionId() : 0);
        for (FetchRequestData.FetchTopic t : r.topics()) {
            FetchResponseData.FetchableTopicResponse tr = new FetchResponseData.FetchableTopicResponse()
                    .setTopic(t.topic()).setTopicId(t.topicId());
            for (FetchRequestData.FetchPartition p : t.partitions()) {
                tr.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(p.partition())
                        .setErrorCode(code).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                        .setRecords(BufferRecords.EMPTY));
            }
            out.responses().add(tr);
        }
        return out;
    }

    private static ListOffsetsResponseData listOffsets(ListOffsetsRequestData r, short code) {
        ListOffsetsResponseData out = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic t : r.topics()) {
            ListOffsetsResponseData.ListOffsetsTopicResponse tr =
                    new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(t.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : t.partitions()) {
                tr.partitions().add(new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(code)
                        .setTimestamp(-1).setOffset(-1).setLeaderEpoch(-1));
            }
            out.topics().add(tr);
        }
        return out;
    }

    private static FindCoordinatorResponseData findCoordinator(FindCoordinatorRequestData r, short code) {
        FindCoordinatorResponseData out = new FindCoordinatorResponseData().setErrorCode(code).setErrorMessage(MESSAGE)
                .setNodeId(-1).setHost("").setPort(-1);
        for (String key : r.coordinatorKeys()) { // v4+ asks for several keys at once
            out.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(key).setErrorCode(code)
                    .setErrorMessage(MESSAGE).setNodeId(-1).setHost("").setPort(-1));
        }
        return out;
    }

    private static OffsetCommitResponseData offsetCommit(OffsetCommitRequestData r, short code) {
        OffsetCommitResponseData out = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : r.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic tr = new OffsetCommitResponseData.OffsetCommitResponseTopic()
                    .setName(t.name()).setTopicId(t.topicId());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                tr.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(code));
            }
            out.topics().add(tr);
        }
        return out;
    }

    private static OffsetFetchResponseData offsetFetch(OffsetFetchRequestData r, Errors error) {
        boolean groupLevel = GROUP_LEVEL.contains(error);
        short top = groupLevel ? error.code() : 0;
        short partitionCode = groupLevel ? 0 : error.code();
        OffsetFetchResponseData out = new OffsetFetchResponseData().setErrorCode(top);
        if (r.topics() != null) {
            for (OffsetFetchRequestData.OffsetFetchRequestTopic t : r.topics()) {
                OffsetFetchResponseData.OffsetFetchResponseTopic tr =
                        new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
                for (int p : indexes(t.partitionIndexes())) {
                    tr.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(p)
                            .setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata("").setErrorCode(partitionCode));
                }
                out.topics().add(tr);
            }
        }
        for (OffsetFetchRequestData.OffsetFetchRequestGroup g : r.groups()) { // v8+
            OffsetFetchResponseData.OffsetFetchResponseGroup gr =
                    new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(g.groupId()).setErrorCode(top);
            if (g.topics() != null) {
                for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                    OffsetFetchResponseData.OffsetFetchResponseTopics tr =
                            new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(t.name()).setTopicId(t.topicId());
                    for (int p : indexes(t.partitionIndexes())) {
                        tr.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(p)
                                .setCommittedOffset(-1).setCommittedLeaderEpoch(-1).setMetadata("").setErrorCode(partitionCode));
                    }
                    gr.topics().add(tr);
                }
            }
            out.groups().add(gr);
        }
        return out;
    }

    private static List<Integer> indexes(List<Integer> requested) { return requested == null ? List.of() : requested; }

    private static CreateTopicsResponseData createTopics(CreateTopicsRequestData r, short code) {
        CreateTopicsResponseData out = new CreateTopicsResponseData();
        for (CreateTopicsRequestData.CreatableTopic t : r.topics()) {
            out.topics().add(new CreateTopicsResponseData.CreatableTopicResult().setName(t.name()).setErrorCode(code)
                    .setErrorMessage(MESSAGE).setNumPartitions(-1).setReplicationFactor((short) -1));
        }
        return out;
    }

    private static MetadataResponseData withTopicErrors(MetadataResponseData r, Errors error, String topic) {
        for (MetadataResponseData.MetadataResponseTopic t : r.topics()) {
            if (topic != null && !topic.equals(t.name())) continue;
            t.setErrorCode(error.code());
            t.partitions().clear();
        }
        return r;
    }

    private ErrorResponses() {}
}
