package dev.skiff.broker.api;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.Partition;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.share.SharePartition;
import dev.skiff.broker.share.SharePartitionKey;
import dev.skiff.broker.share.SharePartitionManager;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ShareAcknowledgeRequestData;
import dev.skiff.protocol.message.ShareAcknowledgeResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * ShareAcknowledge (KIP-932): acknowledges records a share consumer acquired (accept, release, reject, or gap
 * for offsets the log does not hold), without fetching: the share consumer's commitSync/commitAsync and its
 * close. Each partition answers on its own (INVALID_RECORD_STATE for records not acquired by the member,
 * INVALID_REQUEST for malformed batches).
 *
 * <p>Versions (Kafka's ShareAcknowledge schemas): v1 only, Kafka 4.1's (v0 was 4.0's early access). The session
 * epoch must continue an open share session (0 is INVALID_SHARE_SESSION_EPOCH); -1 closes the session after
 * acknowledging, giving back whatever the member still holds.
 *
 * <p>Authorization (as Kafka's): READ on the group (GROUP_AUTHORIZATION_FAILED), READ on each topic
 * (TOPIC_AUTHORIZATION_FAILED for its partitions).
 */
public final class ShareAcknowledgeApi implements ApiHandler<ShareAcknowledgeRequestData> {

    private final SharePartitionManager shares;
    private final Authorizer authorizer;
    private final int nodeId;

    ShareAcknowledgeApi(SharePartitionManager shares, Authorizer authorizer, int nodeId) {
        this.shares = shares;
        this.authorizer = authorizer;
        this.nodeId = nodeId;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.SHARE_ACKNOWLEDGE;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ShareAcknowledgeRequestData request) {
        String group = request.groupId();
        String member = request.memberId();
        if (group == null || group.isEmpty()) throw new ApiException(Errors.INVALID_REQUEST, "GroupId can't be empty.");
        // the group id goes into the share-partition state records
        if (!InternalTopicLog.fits(group)) throw new ApiException(Errors.INVALID_GROUP_ID, "The group id is too long.");
        if (member == null || member.isEmpty())
            throw new ApiException(Errors.INVALID_REQUEST, "MemberId can't be empty.");
        if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.GROUP, group))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
        shares.continueSession(group, member, request.shareSessionEpoch());
        ShareAcknowledgeResponseData r = new ShareAcknowledgeResponseData();
        for (ShareAcknowledgeRequestData.AcknowledgeTopic t : request.topics()) {
            var topic = new ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse().setTopicId(t.topicId());
            r.responses().add(topic);
            for (ShareAcknowledgeRequestData.AcknowledgePartition p : t.partitions()) {
                SharePartitionKey key = new SharePartitionKey(group, t.topicId(), p.partitionIndex());
                List<SharePartition.AckBatch> batches = new ArrayList<>();
                for (ShareAcknowledgeRequestData.AcknowledgementBatch b : p.acknowledgementBatches())
                    batches.add(SharePartition.AckBatch.of(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes()));
                Errors denied = denied(ctx, key);
                Errors result = denied != null ? denied : shares.acknowledge(member, key, batches);
                var answer = new ShareAcknowledgeResponseData.PartitionData()
                        .setPartitionIndex(p.partitionIndex())
                        .setErrorCode(result.code());
                answer.currentLeader().setLeaderId(nodeId).setLeaderEpoch(0);
                topic.partitions().add(answer);
            }
        }
        if (request.shareSessionEpoch() == -1) shares.closeSession(group, member);
        return CompletableFuture.completedFuture(r);
    }

    private Errors denied(RequestContext ctx, SharePartitionKey key) {
        if (!authorizer.enabled()) return null;
        try {
            Partition p = shares.log(key.topicId(), key.partition());
            return authorizer.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, p.topic())
                    ? null
                    : Errors.TOPIC_AUTHORIZATION_FAILED;
        } catch (ApiException e) {
            return null;
        }
    }
}
