package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.group.GroupProtocol;
import dev.skiff.broker.group.JoinRequest;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.JoinGroupRequestData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * JoinGroup: joins (or rejoins) a classic group. The answer comes when the rebalance completes, so it is a
 * future the coordinator completes later. v4+ first answers MEMBER_ID_REQUIRED with the member id to use.
 *
 * <p>Versions (Kafka's JoinGroup schemas):
 * <ul>
 * <li>v0: group id, session timeout, member id, protocol type and protocols.
 * <li>v1: adds rebalance_timeout_ms.
 * <li>v2: the response adds throttle_time_ms. v3: same as v2.
 * <li>v4: a member without an id first gets MEMBER_ID_REQUIRED and joins again with the id it was given.
 * <li>v5: adds group_instance_id (static membership).
 * <li>v6: flexible versions.
 * <li>v7: the response adds protocol_type (KIP-559).
 * <li>v8: adds reason (KIP-800).
 * <li>v9: the response adds skip_assignment.
 * </ul>
 *
 * <p>Authorization (as Kafka's): READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
public final class JoinGroupApi implements ApiHandler<JoinGroupRequestData> {

    private final CoordinatorLocator coordinators;

    private final GroupCoordinator groups;
    private final Authorizer authorizer;

    JoinGroupApi(GroupCoordinator groups, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.groups = groups;
        this.authorizer = authorizer;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.JOIN_GROUP;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, JoinGroupRequestData request) {
        if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId()))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
        coordinators.ensureCoordinator(GROUP, request.groupId());
        List<GroupProtocol> protocols = new ArrayList<>();
        for (JoinGroupRequestData.JoinGroupRequestProtocol p : request.protocols())
            protocols.add(new GroupProtocol(p.name(), p.metadata()));
        JoinRequest join = new JoinRequest(
                request.groupId(),
                request.memberId(),
                ctx.apiVersion() >= 5 ? request.groupInstanceId() : null,
                request.protocolType(),
                protocols,
                request.sessionTimeoutMs(),
                request.rebalanceTimeoutMs(),
                ctx.clientId(),
                ClientHost.of(ctx),
                ctx.apiVersion());
        return groups.join(join).thenApply(r -> r);
    }
}
