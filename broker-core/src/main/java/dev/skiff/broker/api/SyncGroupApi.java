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
import dev.skiff.protocol.message.SyncGroupRequestData;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * SyncGroup: the leader hands in the assignment; every member (followers wait) gets its own part.
 *
 * <p>Versions (Kafka's SyncGroup schemas):
 * <ul>
 * <li>v0: group id, generation id, member id and, from the leader, the assignments.
 * <li>v1: the response adds throttle_time_ms. v2: same as v1.
 * <li>v3: adds group_instance_id.
 * <li>v4: flexible versions.
 * <li>v5: adds protocol_type and protocol_name, checked against the group's (KIP-559).
 * </ul>
 *
 * <p>Authorization (as Kafka's): READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
public final class SyncGroupApi implements ApiHandler<SyncGroupRequestData> {

    private final CoordinatorLocator coordinators;

    private final GroupCoordinator groups;
    private final Authorizer authorizer;

    SyncGroupApi(GroupCoordinator groups, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.groups = groups;
        this.authorizer = authorizer;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.SYNC_GROUP;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, SyncGroupRequestData request) {
        if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId()))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
        coordinators.ensureCoordinator(GROUP, request.groupId());
        Map<String, byte[]> assignments = new HashMap<>();
        for (SyncGroupRequestData.SyncGroupRequestAssignment a : request.assignments())
            assignments.put(a.memberId(), a.assignment());
        short v = ctx.apiVersion();
        return groups.sync(
                        request.groupId(),
                        request.generationId(),
                        request.memberId(),
                        v >= 3 ? request.groupInstanceId() : null,
                        v >= 5 ? request.protocolType() : null,
                        v >= 5 ? request.protocolName() : null,
                        assignments,
                        v)
                .thenApply(r -> r);
    }
}
