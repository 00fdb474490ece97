package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.share.ShareGroupCoordinator;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.ListGroupsRequestData;
import dev.skiff.protocol.message.ListGroupsResponseData;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * ListGroups: every group; v4+ may filter by state, v5+ by group type ("classic", "consumer" for KIP-848 groups,
 * or "share" for KIP-932 share groups, whose protocol type is "share" too).
 *
 * <p>Versions (Kafka's ListGroups schemas):
 * <ul>
 * <li>v0: answers every group id with its protocol type.
 * <li>v1: the response adds throttle_time_ms. v2: same as v1.
 * <li>v3: flexible versions.
 * <li>v4: adds states_filter; the response adds group_state (KIP-518).
 * <li>v5: adds types_filter; the response adds group_type (KIP-848).
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on the cluster lists every group; otherwise only the groups the
 * principal may DESCRIBE.
 */
public final class ListGroupsApi implements ApiHandler<ListGroupsRequestData> {

    private static final String SHARE_TYPE = "share";

    private final GroupCoordinator groups;
    private final Authorizer authorizer;
    /** Share groups, listed after the classic ones; null when the broker has none. */
    private ShareGroupCoordinator shareGroups;

    ListGroupsApi withShareGroups(ShareGroupCoordinator shareGroups) {
        this.shareGroups = shareGroups;
        return this;
    }

    ListGroupsApi(GroupCoordinator groups, Authorizer authorizer) {
        this.groups = groups;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.LIST_GROUPS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ListGroupsRequestData request) {
        Set<String> states = lower(ctx.apiVersion() >= 4 ? request.statesFilter() : null);
        Set<String> types = lower(ctx.apiVersion() >= 5 ? request.typesFilter() : null);
        ListGroupsResponseData r = new ListGroupsResponseData();
        boolean everyGroup = authorizer.authorizeCluster(ctx, AclOperation.DESCRIBE);
        if (shareGroups != null && (types.isEmpty() || types.contains(SHARE_TYPE))) {
            for (ShareGroupCoordinator.GroupView g : shareGroups.list()) {
                if (!everyGroup && !authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId()))
                    continue;
                if (!states.isEmpty() && !states.contains(g.state().toLowerCase(Locale.ROOT))) continue;
                r.groups()
                        .add(new ListGroupsResponseData.ListedGroup()
                                .setGroupId(g.groupId())
                                .setProtocolType(SHARE_TYPE)
                                .setGroupState(g.state())
                                .setGroupType(SHARE_TYPE));
            }
        }
        for (GroupCoordinator.Listed g : groups.listAll()) {
            if (!types.isEmpty() && !types.contains(g.type())) continue;
            if (!everyGroup && !authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId()))
                continue;
            if (!states.isEmpty() && !states.contains(g.state().toLowerCase(Locale.ROOT))) continue;
            r.groups()
                    .add(new ListGroupsResponseData.ListedGroup()
                            .setGroupId(g.groupId())
                            .setProtocolType(g.protocolType())
                            .setGroupState(g.state())
                            .setGroupType(g.type()));
        }
        return CompletableFuture.completedFuture(r);
    }

    private static Set<String> lower(List<String> names) {
        return names == null
                ? Set.of()
                : names.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }
}
