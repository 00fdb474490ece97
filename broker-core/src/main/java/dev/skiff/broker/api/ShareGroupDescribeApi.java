package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.share.ShareGroupCoordinator;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ShareGroupDescribeRequestData;
import dev.skiff.protocol.message.ShareGroupDescribeResponseData;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * ShareGroupDescribe (KIP-932): each share group's state (Empty or Stable), epochs, assignor ("simple") and
 * members with their subscriptions and assignments; GROUP_ID_NOT_FOUND for an id that is no share group.
 *
 * <p>Versions (Kafka's ShareGroupDescribe schemas): v1 only, Kafka 4.1's (v0 was 4.0's early access).
 *
 * <p>Authorization (as Kafka's): DESCRIBE on each group, else GROUP_AUTHORIZATION_FAILED for that group.
 * Authorized operations are not computed (left at Kafka's "not asked" value).
 */
public final class ShareGroupDescribeApi implements ApiHandler<ShareGroupDescribeRequestData> {

    private final ShareGroupCoordinator shares;
    private final TopicManager topics;
    private final CoordinatorLocator coordinators;
    private final Authorizer authorizer;

    ShareGroupDescribeApi(
            ShareGroupCoordinator shares, TopicManager topics, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.shares = shares;
        this.topics = topics;
        this.coordinators = coordinators;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.SHARE_GROUP_DESCRIBE;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ShareGroupDescribeRequestData request) {
        ShareGroupDescribeResponseData r = new ShareGroupDescribeResponseData();
        for (String id : request.groupIds()) {
            var g = new ShareGroupDescribeResponseData.DescribedGroup().setGroupId(id == null ? "" : id);
            r.groups().add(g);
            try {
                if (id == null || id.isEmpty()) throw new ApiException(Errors.INVALID_GROUP_ID, "Invalid group id.");
                if (!authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, id))
                    throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
                coordinators.ensureCoordinator(GROUP, id);
                ShareGroupCoordinator.GroupView v = shares.describe(id);
                if (v == null) throw new ApiException(Errors.GROUP_ID_NOT_FOUND, "Group " + id + " not found.");
                g.setGroupState(v.state())
                        .setGroupEpoch(v.groupEpoch())
                        .setAssignmentEpoch(v.assignmentEpoch())
                        .setAssignorName("simple");
                for (ShareGroupCoordinator.MemberView m : v.members()) {
                    var a = new ShareGroupDescribeResponseData.Assignment();
                    m.assignment().forEach((topicId, parts) -> {
                        Topic t = topics.get(topicId);
                        a.topicPartitions()
                                .add(new ShareGroupDescribeResponseData.TopicPartitions()
                                        .setTopicId(topicId)
                                        .setTopicName(t == null ? "" : t.name())
                                        .setPartitions(new ArrayList<>(parts)));
                    });
                    g.members()
                            .add(new ShareGroupDescribeResponseData.Member()
                                    .setMemberId(m.memberId())
                                    .setRackId(m.rackId())
                                    .setMemberEpoch(m.memberEpoch())
                                    .setClientId(m.clientId())
                                    .setClientHost(m.clientHost())
                                    .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames()))
                                    .setAssignment(a));
                }
            } catch (ApiException e) {
                g.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(r);
    }
}
