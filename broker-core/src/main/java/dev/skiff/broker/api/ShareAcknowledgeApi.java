package dev.skiff.broker.api;

import dev.skiff.broker.LeaderHint;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.share.SharePartition;
import dev.skiff.broker.share.SharePartitionKey;
import dev.skiff.broker.share.SharePartitionManager;
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
 * <p>In a cluster a partition this broker does not lead is answered NOT_LEADER_OR_FOLLOWER with its leader and
 * epoch in current_leader and the leader's address in node_endpoints (KIP-951), as Kafka answers it.
 *
 * <p>Authorization (as Kafka's): READ on the group (GROUP_AUTHORIZATION_FAILED), READ on each topic
 * (TOPIC_AUTHORIZATION_FAILED for its partitions).
 */
public final class ShareAcknowledgeApi implements ApiHandler<ShareAcknowledgeRequestData> {

    private final SharePartitionManager shares;
    private final ShareAccess access;
    private final Partitions partitions;

    ShareAcknowledgeApi(SharePartitionManager shares, Authorizer authorizer, Partitions partitions) {
        this.shares = shares;
        this.access = new ShareAccess(shares, authorizer);
        this.partitions = partitions;
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
        access.checkGroup(ctx, group, member);
        shares.continueSession(group, member, request.shareSessionEpoch());
        ShareAcknowledgeResponseData r = new ShareAcknowledgeResponseData();
        LeaderHints hints = new LeaderHints(partitions, true);
        for (ShareAcknowledgeRequestData.AcknowledgeTopic t : request.topics()) {
            var topic = new ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse().setTopicId(t.topicId());
            r.responses().add(topic);
            for (ShareAcknowledgeRequestData.AcknowledgePartition p : t.partitions()) {
                SharePartitionKey key = new SharePartitionKey(group, t.topicId(), p.partitionIndex());
                List<SharePartition.AckBatch> batches = new ArrayList<>();
                for (ShareAcknowledgeRequestData.AcknowledgementBatch b : p.acknowledgementBatches())
                    batches.add(SharePartition.AckBatch.of(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes()));
                Errors denied = access.topicDenied(ctx, key);
                Errors result = denied != null ? denied : shares.acknowledge(member, key, batches);
                var answer = new ShareAcknowledgeResponseData.PartitionData()
                        .setPartitionIndex(p.partitionIndex())
                        .setErrorCode(result.code());
                LeaderHint h = hints.forAnswer(answer.errorCode(), t.topicId(), p.partitionIndex());
                if (h != null) answer.currentLeader().setLeaderId(h.leaderId()).setLeaderEpoch(h.leaderEpoch());
                topic.partitions().add(answer);
            }
        }
        for (LeaderHint h : hints.endpoints())
            r.nodeEndpoints()
                    .add(new ShareAcknowledgeResponseData.NodeEndpoint()
                            .setNodeId(h.leaderId())
                            .setHost(h.host())
                            .setPort(h.port())
                            .setRack(h.rack()));
        if (request.shareSessionEpoch() == -1) shares.closeSession(group, member);
        return CompletableFuture.completedFuture(r);
    }
}
