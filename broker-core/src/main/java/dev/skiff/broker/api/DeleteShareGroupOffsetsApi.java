package dev.skiff.broker.api;

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
public final class DeleteShareGroupOffsetsApi extends ShareGroupOffsetsHandler<DeleteShareGroupOffsetsRequestData> {

    DeleteShareGroupOffsetsApi(
            ShareGroups shares, TopicManager topics, CoordinatorLocator coordinators, Authorizer authorizer) {
        super(shares, topics, coordinators, authorizer);
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DELETE_SHARE_GROUP_OFFSETS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DeleteShareGroupOffsetsRequestData request) {
        String id = request.groupId();
        checkGroup(ctx, id, AclOperation.DELETE, Expect.EXISTING_EMPTY);
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
