package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.ReplicatedWrites;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.group.OffsetBackend;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
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
import java.util.function.Supplier;

/**
 * OffsetCommit: stores a group's offsets durably. Commits outside a group generation (generation -1, and
 * every v0 commit, as the 0.8 SimpleConsumer sends them) are accepted as they are.
 *
 * <p>Versions (Kafka's OffsetCommit schemas):
 * <ul>
 * <li>v0: group id and per partition offset and metadata (Kafka 0.8 kept these in ZooKeeper).
 * <li>v1: adds generation_id, member_id and a commit timestamp per partition.
 * <li>v2: retention_time_ms replaces the commit timestamp.
 * <li>v3: the response adds throttle_time_ms. v4: same as v3.
 * <li>v5: retention time removed (a broker config).
 * <li>v6: adds committed_leader_epoch.
 * <li>v7: adds group_instance_id.
 * <li>v8: flexible versions.
 * <li>v9: same as v8 (usable by KIP-848 consumers).
 * <li>v10 (not served): topic ids instead of names.
 * </ul>
 *
 * <p>Authorization (as Kafka's): READ on the group (else GROUP_AUTHORIZATION_FAILED for the request), READ
 * on each topic (else TOPIC_AUTHORIZATION_FAILED per partition).
 */
public final class OffsetCommitApi implements ApiHandler<OffsetCommitRequestData> {

    private final CoordinatorLocator coordinators;

    private final TopicManager topics;
    private final OffsetStore offsets;
    private final Supplier<OffsetBackend> version0Offsets;
    private final GroupCoordinator groups;
    private final Authorizer authorizer;

    OffsetCommitApi(
            TopicManager topics,
            OffsetStore offsets,
            Supplier<OffsetBackend> version0Offsets,
            GroupCoordinator groups,
            CoordinatorLocator coordinators,
            Authorizer authorizer) {
        this.coordinators = coordinators;
        this.authorizer = authorizer;
        this.topics = topics;
        this.offsets = offsets;
        this.version0Offsets = version0Offsets;
        this.groups = groups;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.OFFSET_COMMIT;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 9;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, OffsetCommitRequestData request) {
        // answered once the offsets are replicated, as Kafka's acks=-1 coordinator writes
        return ReplicatedWrites.answerWhenReplicated(() -> handleNow(ctx, request));
    }

    private CompletableFuture<ApiMessage> handleNow(RequestContext ctx, OffsetCommitRequestData request) {
        OffsetCommitResponseData r = new OffsetCommitResponseData();
        if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId()))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
        // a group-level failure is thrown: the dispatcher answers it on every partition of the request
        // v0 keeps offsets where version 0 does (ZooKeeper with the bridge), not with the group's coordinator
        if (ctx.apiVersion() > 0) coordinators.ensureCoordinator(GROUP, request.groupId());
        checkGroup(ctx, request);
        long now = System.currentTimeMillis();
        Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
        Map<TopicPartition, OffsetCommitResponseData.OffsetCommitResponsePartition> answers = new LinkedHashMap<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic rt : request.topics()) {
            OffsetCommitResponseData.OffsetCommitResponseTopic tr =
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(rt.name());
            r.topics().add(tr);
            Topic t = topics.get(rt.name());
            boolean denied = !authorizer.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, rt.name());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition rp : rt.partitions()) {
                OffsetCommitResponseData.OffsetCommitResponsePartition pr =
                        new OffsetCommitResponseData.OffsetCommitResponsePartition()
                                .setPartitionIndex(rp.partitionIndex());
                tr.partitions().add(pr);
                if (denied) {
                    pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                if (t == null || t.partition(rp.partitionIndex()) == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                String metadata = rp.committedMetadata();
                if (offsets.metadataError(metadata) != Errors.NONE) {
                    pr.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                    continue;
                }
                long ts = ctx.apiVersion() == 1 && rp.commitTimestamp() > 0 ? rp.commitTimestamp() : now;
                TopicPartition tp = new TopicPartition(rt.name(), rp.partitionIndex());
                // v2-4 may ask for a retention of their own (-1: the broker's), as Kafka keeps it
                long expire = ctx.apiVersion() >= 2 && ctx.apiVersion() <= 4 && request.retentionTimeMs() >= 0
                        ? now + request.retentionTimeMs()
                        : -1;
                accepted.put(
                        tp, new CommittedOffset(rp.committedOffset(), rp.committedLeaderEpoch(), metadata, ts, expire));
                answers.put(tp, pr);
            }
        }
        try {
            (ctx.apiVersion() == 0 ? version0Offsets.get() : offsets).commit(request.groupId(), accepted);
        } catch (ApiException e) {
            answers.values().forEach(pr -> pr.setErrorCode(e.error().code()));
        } catch (LogStorageException | IllegalStateException e) {
            answers.values().forEach(pr -> pr.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        }
        return CompletableFuture.completedFuture(r);
    }

    /** v1+ commits carry a generation and member id, checked against the group as Kafka does; v0 never. */
    private void checkGroup(RequestContext ctx, OffsetCommitRequestData request) {
        if (ctx.apiVersion() == 0) return;
        groups.validateCommit(
                request.groupId(),
                request.generationIdOrMemberEpoch(),
                request.memberId(),
                ctx.apiVersion() >= 7 ? request.groupInstanceId() : null);
    }
}
