package dev.skiff.broker.api;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.log.LogStorageException;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.OffsetCommitRequestData;
import dev.skiff.protocol.message.OffsetCommitResponseData;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetCommit: stores a group's offsets durably. Commits outside a group generation (generation -1, and
 * every v0 commit, as the 0.8 SimpleConsumer sends them) are accepted as they are.
 */
public final class OffsetCommitApi implements ApiHandler<OffsetCommitRequestData> {

    private final Broker broker;

    OffsetCommitApi(Broker broker) { this.broker = broker; }

    @Override public ApiKeys api() { return ApiKeys.OFFSET_COMMIT; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 9; }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, OffsetCommitRequestData request) {
        OffsetCommitResponseData r = new OffsetCommitResponseData();
        Errors groupError = groupError(ctx, request);
        if (groupError != Errors.NONE) return CompletableFuture.completedFuture(allFailed(request, groupError));
        long now = System.currentTimeMillis();
        Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
        Map<TopicPartition, OffsetCommitResponseData.OffsetCommitResponsePartition> answers = new LinkedHashMap<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic rt : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic tr =
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(rt.name());
            r.topics().add(tr);
            Topic t = broker.topics().get(rt.name());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition rp : rt.partitions()) {
                OffsetCommitResponseData.OffsetCommitResponsePartition pr =
                        new OffsetCommitResponseData.OffsetCommitResponsePartition().setPartitionIndex(rp.partitionIndex());
                tr.partitions().add(pr);
                if (t == null || t.partition(rp.partitionIndex()) == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                String metadata = rp.committedMetadata();
                if (broker.offsets().metadataError(metadata) != Errors.NONE) {
                    pr.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                    continue;
                }
                long ts = ctx.apiVersion() == 1 && rp.commitTimestamp() > 0 ? rp.commitTimestamp() : now;
                TopicPartition tp = new TopicPartition(rt.name(), rp.partitionIndex());
                // v2-4 may ask for a retention of their own (-1: the broker's), as Kafka keeps it
                long expire = ctx.apiVersion() >= 2 && ctx.apiVersion() <= 4 && request.retentionTimeMs() >= 0
                        ? now + request.retentionTimeMs() : -1;
                accepted.put(tp, new CommittedOffset(rp.committedOffset(), rp.committedLeaderEpoch(), metadata, ts, expire));
                answers.put(tp, pr);
            }
        }
        try {
            (ctx.apiVersion() == 0 ? broker.version0Offsets() : broker.offsets()).commit(request.groupId(), accepted);
        } catch (ApiException e) {
            answers.values().forEach(pr -> pr.setErrorCode(e.error().code()));
        } catch (LogStorageException | IllegalStateException e) {
            answers.values().forEach(pr -> pr.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        }
        return CompletableFuture.completedFuture(r);
    }

    /** v1+ commits carry a generation and member id, checked against the group as Kafka does; v0 never. */
    private Errors groupError(RequestContext ctx, OffsetCommitRequestData request) {
        if (ctx.apiVersion() == 0) return Errors.NONE;
        return broker.groupCoordinator().validateCommit(request.groupId(), request.generationIdOrMemberEpoch(),
                request.memberId(), ctx.apiVersion() >= 7 ? request.groupInstanceId() : null);
    }

    private static OffsetCommitResponseData allFailed(OffsetCommitRequestData request, Errors e) {
        OffsetCommitResponseData r = new OffsetCommitResponseData();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic rt : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic tr =
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(rt.name());
            r.topics().add(tr);
            for (OffsetCommitRequestData.OffsetCommitRequestPartition rp : rt.partitions())
                tr.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(rp.partitionIndex()).setErrorCode(e.code()));
        }
        return r;
    }
}
