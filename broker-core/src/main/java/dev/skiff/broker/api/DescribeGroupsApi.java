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
import dev.skiff.protocol.message.DescribeGroupsRequestData;
import dev.skiff.protocol.message.DescribeGroupsResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeGroups: state, protocol and members of each group. An unknown group is "Dead" without error up to
 * v5 and GROUP_ID_NOT_FOUND from v6, as Kafka 4 answers.
 *
 * <p>Versions (Kafka's DescribeGroups schemas):
 * <ul>
 * <li>v0: group ids; answers state, protocol type and protocol, and members.
 * <li>v1: the response adds throttle_time_ms. v2: same as v1.
 * <li>v3: adds include_authorized_operations.
 * <li>v4: members carry group_instance_id.
 * <li>v5: flexible versions.
 * <li>v6: GROUP_ID_NOT_FOUND for a group that does not exist (KIP-1043).
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on each group, else GROUP_AUTHORIZATION_FAILED for it; v3+ may ask
 * for the group's authorized operations.
 */
public final class DescribeGroupsApi implements ApiHandler<DescribeGroupsRequestData> {

    private final CoordinatorLocator coordinators;

    /** Kafka's "authorized operations not requested" marker. */
    private static final int OPERATIONS_OMITTED = Integer.MIN_VALUE;

    private final GroupCoordinator groups;
    private final Authorizer authorizer;

    DescribeGroupsApi(GroupCoordinator groups, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.groups = groups;
        this.authorizer = authorizer;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeGroupsRequestData request) {
        DescribeGroupsResponseData r = new DescribeGroupsResponseData();
        for (String id : request.groups()) {
            DescribeGroupsResponseData.DescribedGroup d = new DescribeGroupsResponseData.DescribedGroup()
                    .setGroupId(id)
                    .setProtocolType("")
                    .setProtocolData("")
                    .setAuthorizedOperations(OPERATIONS_OMITTED);
            r.groups().add(d);
            if (!authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, id)) {
                d.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code());
                continue;
            }
            if (ctx.apiVersion() >= 3 && request.includeAuthorizedOperations())
                d.setAuthorizedOperations(authorizer.authorizedOperations(ctx, ResourceType.GROUP, id));
            try {
                coordinators.ensureCoordinator(GROUP, id);
            } catch (ApiException e) { // each group has its own coordinator, so its own answer
                d.setGroupState("").setErrorCode(e.error().code());
                if (ctx.apiVersion() >= 6) d.setErrorMessage(e.getMessage());
                continue;
            }
            GroupCoordinator.GroupSummary s = groups.describe(id);
            if (s == null) {
                d.setGroupState("Dead");
                if (ctx.apiVersion() >= 6)
                    d.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + id + " not found.");
                continue;
            }
            d.setGroupState(s.state().wireName())
                    .setProtocolType(s.protocolType())
                    .setProtocolData(s.protocol() == null ? "" : s.protocol());
            for (GroupCoordinator.MemberSummary m : s.members()) {
                d.members()
                        .add(new DescribeGroupsResponseData.DescribedGroupMember()
                                .setMemberId(m.memberId())
                                .setGroupInstanceId(m.groupInstanceId())
                                .setClientId(m.clientId() == null ? "" : m.clientId())
                                .setClientHost(m.clientHost() == null ? "" : m.clientHost())
                                .setMemberMetadata(m.metadata() == null ? new byte[0] : m.metadata())
                                .setMemberAssignment(m.assignment() == null ? new byte[0] : m.assignment()));
            }
        }
        return CompletableFuture.completedFuture(r);
    }
}
