package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.ReplicatedWrites;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.group.ConsumerGroupCoordinator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ConsumerGroupHeartbeatRequestData;
import java.util.concurrent.CompletableFuture;

/**
 * ConsumerGroupHeartbeat (KIP-848): a member of a consumer group joins (epoch 0), heartbeats with its epoch and
 * owned partitions, and leaves (-1, or -2 for a static member coming back); the answer carries its epoch and,
 * when it changed, its assignment. Answered once the group's records are replicated.
 *
 * <p>Versions (Kafka's ConsumerGroupHeartbeat schemas):
 * <ul>
 * <li>v0: group id, member id (the coordinator may make one), epoch, instance and rack id, rebalance timeout,
 *     subscribed topic names, server assignor, owned partitions by topic id.
 * <li>v1: adds subscribed_topic_regex (RE2J, resolved by the coordinator); the member makes its own id.
 * </ul>
 *
 * <p>Authorization (as Kafka 4.1's): READ on the group, else GROUP_AUTHORIZATION_FAILED; then DESCRIBE on every
 * subscribed topic name, else TOPIC_AUTHORIZATION_FAILED for the whole heartbeat (a client may not learn of topics
 * it cannot describe through its assignment).
 */
public final class ConsumerGroupHeartbeatApi implements ApiHandler<ConsumerGroupHeartbeatRequestData> {

    private final ConsumerGroupCoordinator groups;
    private final CoordinatorLocator coordinators;
    private final Authorizer authorizer;

    ConsumerGroupHeartbeatApi(ConsumerGroupCoordinator groups, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.groups = groups;
        this.coordinators = coordinators;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.CONSUMER_GROUP_HEARTBEAT;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ConsumerGroupHeartbeatRequestData request) {
        if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId()))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
        if (request.subscribedTopicNames() != null)
            for (String topic : request.subscribedTopicNames())
                if (!authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, topic))
                    throw new ApiException(Errors.TOPIC_AUTHORIZATION_FAILED, "Topic authorization failed.");
        coordinators.ensureCoordinator(GROUP, request.groupId());
        if (ctx.apiVersion() == 0
                && (request.memberId() == null || request.memberId().isEmpty()))
            request.setMemberId(java.util.UUID.randomUUID().toString()); // v0: the coordinator names the member
        return ReplicatedWrites.answerWhenReplicated(() -> CompletableFuture.completedFuture(
                groups.heartbeat(request, ctx.clientId(), ClientHost.of(ctx), ctx.apiVersion())));
    }
}
