package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.share.ShareGroupCoordinator;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ShareGroupHeartbeatRequestData;
import dev.skiff.protocol.message.ShareGroupHeartbeatResponseData;
import dev.skiff.protocol.types.Uuid;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * ShareGroupHeartbeat (KIP-932): a share consumer joins (epoch 0, with its subscription), heartbeats, and
 * leaves (epoch -1); the answer carries its epoch and, when it changed, its assignment.
 *
 * <p>Versions (Kafka's ShareGroupHeartbeat schemas): v1 only, the version of Kafka 4.1 (v0 was 4.0's early
 * access and is no longer served by Kafka either). The member id is the client's own (a UUID).
 *
 * <p>Authorization (as Kafka's): READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
public final class ShareGroupHeartbeatApi implements ApiHandler<ShareGroupHeartbeatRequestData> {

    private final ShareGroupCoordinator shares;
    private final CoordinatorLocator coordinators;
    private final Authorizer authorizer;

    ShareGroupHeartbeatApi(ShareGroupCoordinator shares, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.shares = shares;
        this.coordinators = coordinators;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.SHARE_GROUP_HEARTBEAT;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ShareGroupHeartbeatRequestData request) {
        if (request.groupId() == null || request.groupId().isEmpty())
            throw new ApiException(Errors.INVALID_REQUEST, "GroupId can't be empty.");
        if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId()))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
        coordinators.ensureCoordinator(GROUP, request.groupId());
        ShareGroupCoordinator.Heartbeat h = shares.heartbeat(
                request.groupId(),
                request.memberId(),
                request.memberEpoch(),
                request.rackId(),
                request.subscribedTopicNames(),
                ctx.clientId() == null ? "" : ctx.clientId(),
                ctx.clientAddress() == null ? "" : ctx.clientAddress(),
                System.currentTimeMillis());
        ShareGroupHeartbeatResponseData r = new ShareGroupHeartbeatResponseData()
                .setMemberId(h.memberId())
                .setMemberEpoch(h.memberEpoch())
                .setHeartbeatIntervalMs(h.heartbeatIntervalMs());
        if (h.assignment() != null) r.setAssignment(assignment(h.assignment()));
        return CompletableFuture.completedFuture(r);
    }

    private static ShareGroupHeartbeatResponseData.Assignment assignment(Map<Uuid, List<Integer>> byTopic) {
        ShareGroupHeartbeatResponseData.Assignment a = new ShareGroupHeartbeatResponseData.Assignment();
        byTopic.forEach((id, parts) -> a.topicPartitions()
                .add(new ShareGroupHeartbeatResponseData.TopicPartitions()
                        .setTopicId(id)
                        .setPartitions(new java.util.ArrayList<>(parts))));
        return a;
    }
}
