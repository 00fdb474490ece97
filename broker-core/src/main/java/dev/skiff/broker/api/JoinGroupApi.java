package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.group.GroupProtocol;
import dev.skiff.broker.group.JoinRequest;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.JoinGroupRequestData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * JoinGroup: joins (or rejoins) a classic group. The answer comes when the rebalance completes, so it is a
 * future the coordinator completes later. v4+ first answers MEMBER_ID_REQUIRED with the member id to use.
 */
public final class JoinGroupApi implements ApiHandler<JoinGroupRequestData> {

    private final GroupCoordinator groups;

    JoinGroupApi(GroupCoordinator groups) { this.groups = groups; }

    @Override public ApiKeys api() { return ApiKeys.JOIN_GROUP; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 9; }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, JoinGroupRequestData request) {
        List<GroupProtocol> protocols = new ArrayList<>();
        for (JoinGroupRequestData.JoinGroupRequestProtocol p : request.protocols())
            protocols.add(new GroupProtocol(p.name(), p.metadata()));
        JoinRequest join = new JoinRequest(request.groupId(), request.memberId(),
                ctx.apiVersion() >= 5 ? request.groupInstanceId() : null, request.protocolType(), protocols,
                request.sessionTimeoutMs(), request.rebalanceTimeoutMs(), ctx.clientId(),
                ClientHost.of(ctx), ctx.apiVersion());
        return groups.join(join).thenApply(r -> r);
    }
}
