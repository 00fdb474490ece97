package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.LeaveGroupRequestData;
import dev.skiff.protocol.message.LeaveGroupResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * LeaveGroup: v0-2 one member by id; v3+ a batch of members, by member id or group.instance.id.
 *
 * <p>Versions (Kafka's LeaveGroup schemas):
 * <ul>
 * <li>v0: group id and member id.
 * <li>v1: the response adds throttle_time_ms. v2: same as v1.
 * <li>v3: several members at once, by member id and group_instance_id; one answer per member.
 * <li>v4: flexible versions.
 * <li>v5: members carry a reason (KIP-800).
 * </ul>
 *
 * <p>Authorization (as Kafka's): READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
public final class LeaveGroupApi implements ApiHandler<LeaveGroupRequestData> {

    private final CoordinatorLocator coordinators;

    private final GroupCoordinator groups;
    private final Authorizer authorizer;

    LeaveGroupApi(GroupCoordinator groups, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.groups = groups;
        this.authorizer = authorizer;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.LEAVE_GROUP;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, LeaveGroupRequestData request) {
        LeaveGroupResponseData r = new LeaveGroupResponseData();
        if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId())) {
            // Kafka answers the top-level error only, without the members (v3+) the generic error answer lists
            return CompletableFuture.completedFuture(r.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
        }
        coordinators.ensureCoordinator(GROUP, request.groupId());
        GroupCoordinator c = groups;
        if (ctx.apiVersion() < 3) {
            Errors e = c.leave(request.groupId(), List.of(new GroupCoordinator.Leaving(request.memberId(), null)))
                    .get(0);
            return CompletableFuture.completedFuture(r.setErrorCode(e.code()));
        }
        List<GroupCoordinator.Leaving> leaving = new ArrayList<>();
        for (LeaveGroupRequestData.MemberIdentity m : request.members())
            leaving.add(new GroupCoordinator.Leaving(m.memberId(), m.groupInstanceId()));
        List<Errors> errors = c.leave(request.groupId(), leaving);
        for (int i = 0; i < leaving.size(); i++) {
            r.members()
                    .add(new LeaveGroupResponseData.MemberResponse()
                            .setMemberId(leaving.get(i).memberId())
                            .setGroupInstanceId(leaving.get(i).groupInstanceId())
                            .setErrorCode(errors.get(i).code()));
        }
        return CompletableFuture.completedFuture(r);
    }
}
