package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.HeartbeatRequestData;
import dev.skiff.protocol.message.HeartbeatResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
 *
 * <p>Versions (Kafka's Heartbeat schemas):
 * <ul>
 * <li>v0: group id, generation id, member id.
 * <li>v1: the response adds throttle_time_ms. v2: same as v1.
 * <li>v3: adds group_instance_id (static membership).
 * <li>v4: flexible versions.
 * </ul>
 *
 * <p>Authorization (as Kafka's): READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
public final class HeartbeatApi implements ApiHandler<HeartbeatRequestData> {

    private final CoordinatorLocator coordinators;

    private final GroupCoordinator groups;
    private final Authorizer authorizer;

    HeartbeatApi(GroupCoordinator groups, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.groups = groups;
        this.authorizer = authorizer;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.HEARTBEAT;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, HeartbeatRequestData request) {
        if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId()))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
        coordinators.ensureCoordinator(GROUP, request.groupId());
        // a failure (REBALANCE_IN_PROGRESS included) is thrown and answered by the dispatcher
        groups.heartbeat(
                request.groupId(),
                request.memberId(),
                ctx.apiVersion() >= 3 ? request.groupInstanceId() : null,
                request.generationId());
        return CompletableFuture.completedFuture(new HeartbeatResponseData());
    }
}
