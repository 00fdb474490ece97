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
import dev.skiff.protocol.message.AlterShareGroupOffsetsRequestData;
import dev.skiff.protocol.message.AlterShareGroupOffsetsResponseData;
import dev.skiff.protocol.types.Uuid;
import java.util.concurrent.CompletableFuture;

/**
 * AlterShareGroupOffsets (KIP-932): moves the start offset of share partitions of a group that has no members
 * (NON_EMPTY_GROUP otherwise); the window of in-flight records starts afresh there. {@code kafka-share-groups
 * --reset-offsets} uses it.
 *
 * <p>Versions (Kafka's AlterShareGroupOffsets schemas): v0 only, as in Kafka 4.1.
 *
 * <p>Authorization (as Kafka's): READ on the group (GROUP_AUTHORIZATION_FAILED), READ on each topic
 * (TOPIC_AUTHORIZATION_FAILED for its partitions). An offset outside the log answers INVALID_REQUEST for its
 * partition.
 */
public final class AlterShareGroupOffsetsApi extends ShareGroupOffsetsHandler<AlterShareGroupOffsetsRequestData> {

    AlterShareGroupOffsetsApi(
            ShareGroups shares, TopicManager topics, CoordinatorLocator coordinators, Authorizer authorizer) {
        super(shares, topics, coordinators, authorizer);
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.ALTER_SHARE_GROUP_OFFSETS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, AlterShareGroupOffsetsRequestData request) {
        String id = request.groupId();
        checkGroup(ctx, id, AclOperation.READ, Expect.EMPTY);
        AlterShareGroupOffsetsResponseData r = new AlterShareGroupOffsetsResponseData();
        for (var t : request.topics()) {
            Topic topic = t.topicName() == null ? null : topics.get(t.topicName());
            var answer = new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic()
                    .setTopicName(t.topicName() == null ? "" : t.topicName())
                    .setTopicId(topic == null ? Uuid.ZERO : topic.id());
            r.responses().add(answer);
            boolean allowed =
                    topic != null && authorizer.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, topic.name());
            for (var p : t.partitions()) {
                var part = new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition()
                        .setPartitionIndex(p.partitionIndex());
                answer.partitions().add(part);
                try {
                    if (topic == null || topic.partition(p.partitionIndex()) == null)
                        throw new ApiException(
                                Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.");
                    if (!allowed)
                        throw new ApiException(Errors.TOPIC_AUTHORIZATION_FAILED, "Topic authorization failed.");
                    shares.partitions()
                            .alterStartOffset(
                                    new SharePartitionKey(id, topic.id(), p.partitionIndex()), p.startOffset());
                } catch (ApiException e) {
                    part.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
                }
            }
        }
        shares.coordinator().remember(id);
        return CompletableFuture.completedFuture(r);
    }
}
