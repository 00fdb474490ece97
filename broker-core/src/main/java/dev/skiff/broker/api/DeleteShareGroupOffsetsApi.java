package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.share.ShareGroups;
import dev.skiff.broker.share.SharePartitionKey;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DeleteShareGroupOffsetsRequestData;
import dev.skiff.protocol.message.DeleteShareGroupOffsetsResponseData;
import dev.skiff.protocol.types.Uuid;
import java.util.concurrent.CompletableFuture;

/**
 * DeleteShareGroupOffsets (KIP-932): forgets the share-partition state of whole topics for a group that has no
 * members (NON_EMPTY_GROUP otherwise); the next fetch starts them again from share.auto.offset.reset.
 *
 * <p>Versions (Kafka's DeleteShareGroupOffsets schemas): v0 only, as in Kafka 4.1.
 *
 * <p>Authorization (as Kafka's): DELETE on the group (GROUP_AUTHORIZATION_FAILED), READ on each topic
 * (TOPIC_AUTHORIZATION_FAILED for that topic).
 */
public final class DeleteShareGroupOffsetsApi implements ApiHandler<DeleteShareGroupOffsetsRequestData> {

    private final ShareGroups shares;
    private final TopicManager topics;
    private final CoordinatorLocator coordinators;
    private final Authorizer authorizer;

    DeleteShareGroupOffsetsApi(
            ShareGroups shares, TopicManager topics, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.shares = shares;
        this.topics = topics;
        this.coordinators = coordinators;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DELETE_SHARE_GROUP_OFFSETS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DeleteShareGroupOffsetsRequestData request) {
        String id = request.groupId();
        if (id == null || id.isEmpty()) throw new ApiException(Errors.INVALID_GROUP_ID, "Invalid group id.");
        if (!authorizer.authorize(ctx, AclOperation.DELETE, ResourceType.GROUP, id))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
        coordinators.ensureCoordinator(GROUP, id);
        if (!shares.coordinator().exists(id))
            throw new ApiException(Errors.GROUP_ID_NOT_FOUND, "Group " + id + " not found.");
        if (shares.coordinator().hasMembers(id))
            throw new ApiException(Errors.NON_EMPTY_GROUP, "The group has active members.");
        DeleteShareGroupOffsetsResponseData r = new DeleteShareGroupOffsetsResponseData();
        for (var t : request.topics()) {
            Topic topic = t.topicName() == null ? null : topics.get(t.topicName());
            var answer = new DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic()
                    .setTopicName(t.topicName() == null ? "" : t.topicName())
                    .setTopicId(topic == null ? Uuid.ZERO : topic.id());
            r.responses().add(answer);
            try {
                if (topic == null)
                    throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic.");
                if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, topic.name()))
                    throw new ApiException(Errors.TOPIC_AUTHORIZATION_FAILED, "Topic authorization failed.");
                for (SharePartitionKey k : shares.partitions().keysOf(id))
                    if (k.topicId().equals(topic.id())) shares.partitions().deleteState(k);
            } catch (ApiException e) {
                answer.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(r);
    }
}
