package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.OffsetDeleteRequestData;
import dev.skiff.protocol.message.OffsetDeleteResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetDelete: removes a group's committed offsets, except for topics a live member subscribes to
 * (GROUP_SUBSCRIBED_TO_TOPIC).
 *
 * <p>Versions (Kafka's OffsetDelete schemas):
 * <ul>
 * <li>v0 (the only version): a group and the partitions whose committed offsets go (KIP-496).
 * </ul>
 *
 * <p>Authorization (as Kafka's): DELETE on the group (GROUP_AUTHORIZATION_FAILED for the request), READ on
 * each topic (TOPIC_AUTHORIZATION_FAILED per partition).
 */
public final class OffsetDeleteApi implements ApiHandler<OffsetDeleteRequestData> {

    private final CoordinatorLocator coordinators;

    private final TopicManager topics;
    private final GroupCoordinator groups;
    private final Authorizer authorizer;

    OffsetDeleteApi(
            TopicManager topics, GroupCoordinator groups, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.topics = topics;
        this.groups = groups;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.OFFSET_DELETE;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, OffsetDeleteRequestData request) {
        if (!authorizer.authorize(ctx, AclOperation.DELETE, ResourceType.GROUP, request.groupId()))
            return CompletableFuture.completedFuture(
                    new OffsetDeleteResponseData().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
        coordinators.ensureCoordinator(GROUP, request.groupId());
        List<TopicPartition> known = new ArrayList<>();
        java.util.Set<String> denied = new java.util.HashSet<>();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : request.topics()) {
            if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, t.name())) {
                denied.add(t.name());
                continue;
            }
            Topic topic = topics.get(t.name());
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions())
                if (topic != null && topic.partition(p.partitionIndex()) != null)
                    known.add(new TopicPartition(t.name(), p.partitionIndex()));
        }
        Map<TopicPartition, Errors> result;
        try {
            result = groups.deleteOffsets(request.groupId(), known);
        } catch (ApiException e) {
            // Kafka answers a group-level error with no topics (the generated error response would list them)
            return CompletableFuture.completedFuture(
                    new OffsetDeleteResponseData().setErrorCode(e.error().code()));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(
                    new OffsetDeleteResponseData().setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        }
        OffsetDeleteResponseData r = new OffsetDeleteResponseData();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : request.topics()) {
            OffsetDeleteResponseData.OffsetDeleteResponseTopic rt =
                    new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(t.name());
            r.topics().add(rt);
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                Errors e = denied.contains(t.name())
                        ? Errors.TOPIC_AUTHORIZATION_FAILED
                        : result.getOrDefault(
                                new TopicPartition(t.name(), p.partitionIndex()), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                rt.partitions()
                        .add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(e.code()));
            }
        }
        return CompletableFuture.completedFuture(r);
    }
}
