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
import dev.skiff.protocol.message.DescribeShareGroupOffsetsRequestData;
import dev.skiff.protocol.message.DescribeShareGroupOffsetsResponseData;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeShareGroupOffsets (KIP-932): the start offset of each share partition of a group (-1 where it has no
 * state yet); all of the group's share partitions when no topics are named. Admin.listShareGroupOffsets and
 * {@code kafka-share-groups --describe} ask it.
 *
 * <p>Versions (Kafka's DescribeShareGroupOffsets schemas): v0 only, as in Kafka 4.1.
 *
 * <p>Authorization (as Kafka's): DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED for the group), DESCRIBE on
 * each topic (TOPIC_AUTHORIZATION_FAILED for its partitions). An id that is a consumer group, not a share group,
 * answers GROUP_ID_NOT_FOUND.
 */
public final class DescribeShareGroupOffsetsApi extends ShareGroupOffsetsHandler<DescribeShareGroupOffsetsRequestData> {

    DescribeShareGroupOffsetsApi(
            ShareGroups shares, TopicManager topics, CoordinatorLocator coordinators, Authorizer authorizer) {
        super(shares, topics, coordinators, authorizer);
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeShareGroupOffsetsRequestData request) {
        DescribeShareGroupOffsetsResponseData r = new DescribeShareGroupOffsetsResponseData();
        for (DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g : request.groups()) {
            var answer = new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup()
                    .setGroupId(g.groupId() == null ? "" : g.groupId());
            r.groups().add(answer);
            try {
                describe(ctx, g, answer);
            } catch (ApiException e) {
                answer.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
                answer.topics().clear();
            }
        }
        return CompletableFuture.completedFuture(r);
    }

    private void describe(
            RequestContext ctx,
            DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g,
            DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup answer) {
        String id = g.groupId();
        checkGroup(ctx, id, AclOperation.DESCRIBE, Expect.ANY);
        // topic name -> partitions asked (or, when none are named, those with state)
        Map<String, List<Integer>> asked = new TreeMap<>();
        if (g.topics() == null) {
            for (SharePartitionKey k : shares.partitions().keysOf(id)) {
                Topic t = topics.get(k.topicId());
                if (t != null)
                    asked.computeIfAbsent(t.name(), n -> new java.util.ArrayList<>())
                            .add(k.partition());
            }
            asked.values().forEach(l -> l.sort(null));
        } else {
            for (var t : g.topics()) asked.put(t.topicName(), t.partitions());
        }
        asked.forEach((name, parts) -> {
            Topic t = name == null ? null : topics.get(name);
            var topic = new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic()
                    .setTopicName(name == null ? "" : name)
                    .setTopicId(t == null ? dev.skiff.protocol.types.Uuid.ZERO : t.id());
            answer.topics().add(topic);
            boolean allowed = t != null && authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name);
            for (int p : parts) {
                var part = new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition()
                        .setPartitionIndex(p)
                        .setStartOffset(-1)
                        .setLeaderEpoch(-1);
                if (t != null && t.partition(p) == null) {
                    // as Kafka: a partition the topic does not have has no state, which is no error
                } else if (t == null)
                    part.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("This server does not host this topic-partition.");
                else if (!allowed)
                    part.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                            .setErrorMessage("Topic authorization failed.");
                else {
                    long start = shares.partitions().startOffset(new SharePartitionKey(id, t.id(), p));
                    part.setStartOffset(start).setLeaderEpoch(start < 0 ? -1 : 0);
                }
                topic.partitions().add(part);
            }
        });
    }
}
