package dev.skiff.broker.api;

import dev.skiff.broker.Partition;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.log.Log;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.OffsetForLeaderEpochRequestData;
import dev.skiff.protocol.message.OffsetForLeaderEpochResponseData;
import dev.skiff.protocol.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import java.util.concurrent.CompletableFuture;

/**
 * OffsetForLeaderEpoch: in a cluster, the leader answers from its log's leader epoch cache (the largest
 * epoch at or below the one asked and where it ends), after checking current_leader_epoch
 * (FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER): what a follower truncates by.
 * A single broker has led every partition since its creation, so each log has a single
 * leader epoch, 0. As in Kafka's epoch cache: asking for that epoch gives the log end offset; asking for a
 * later one gives undefined (-1, -1); a current_leader_epoch other than 0 is fenced or unknown.
 *
 * <p>Versions (Kafka's OffsetForLeaderEpoch schemas):
 * <ul>
 * <li>v0: per partition a leader epoch; answers the end offset of that epoch.
 * <li>v1: the response adds leader_epoch.
 * <li>v2: adds current_leader_epoch (fencing); the response adds throttle_time_ms.
 * <li>v3: adds replica_id.
 * <li>v4: flexible versions.
 * </ul>
 *
 * <p>Authorization (as Kafka's): CLUSTER_ACTION on the cluster or DESCRIBE on each topic, for followers and
 * consumers alike; else TOPIC_AUTHORIZATION_FAILED per partition.
 */
public final class OffsetForLeaderEpochApi implements ApiHandler<OffsetForLeaderEpochRequestData> {

    static final int LEADER_EPOCH = 0;
    private static final int UNDEFINED_EPOCH = -1;
    private static final long UNDEFINED_OFFSET = -1L;

    private final TopicManager topics;

    private final Authorizer authorizer;

    OffsetForLeaderEpochApi(TopicManager topics, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.topics = topics;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, OffsetForLeaderEpochRequestData request) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        // as Kafka (since KIP-320 consumers ask too): CLUSTER_ACTION or DESCRIBE on the topic, whatever the
        // replica id says; it does not tell followers from consumers here
        boolean cluster = authorizer.authorizeCluster(ctx, AclOperation.CLUSTER_ACTION);
        for (OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t : request.topics()) {
            OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult tr =
                    new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(t.topic());
            response.topics().add(tr);
            Errors denied = !cluster && !authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic())
                    ? Errors.TOPIC_AUTHORIZATION_FAILED
                    : null;
            for (OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p : t.partitions()) {
                if (denied != null) {
                    tr.partitions()
                            .add(new OffsetForLeaderEpochResponseData.EpochEndOffset()
                                    .setPartition(p.partition())
                                    .setErrorCode(denied.code())
                                    .setLeaderEpoch(UNDEFINED_EPOCH)
                                    .setEndOffset(UNDEFINED_OFFSET));
                    continue;
                }
                tr.partitions().add(answer(topics.partition(t.topic(), p.partition()), p, ctx.apiVersion()));
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private static EpochEndOffset answer(
            Partition p, OffsetForLeaderEpochRequestData.OffsetForLeaderPartition req, short version) {
        EpochEndOffset r = new EpochEndOffset()
                .setPartition(req.partition())
                .setLeaderEpoch(UNDEFINED_EPOCH)
                .setEndOffset(UNDEFINED_OFFSET);
        if (p == null) return r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        int current = version >= 2 ? req.currentLeaderEpoch() : -1;
        if (p.role() != null) {
            try {
                p.checkLeader(current);
            } catch (ApiException e) {
                return r.setErrorCode(e.error().code());
            }
            Log.EpochEndOffset end = p.log().endOffsetForEpoch(req.leaderEpoch());
            return r.setLeaderEpoch(end.epoch()).setEndOffset(end.endOffset());
        }
        if (current != -1 && current < LEADER_EPOCH) return r.setErrorCode(Errors.FENCED_LEADER_EPOCH.code());
        if (current > LEADER_EPOCH) return r.setErrorCode(Errors.UNKNOWN_LEADER_EPOCH.code());
        if (req.leaderEpoch() == LEADER_EPOCH) {
            r.setLeaderEpoch(LEADER_EPOCH).setEndOffset(p.log().logEndOffset());
        }
        // an epoch above ours (or undefined) is unknown to the cache: (-1, -1), error NONE, as Kafka answers
        return r;
    }
}
