package dev.skiff.broker.api;

import dev.skiff.broker.IsolationLevel;
import dev.skiff.broker.Partition;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.log.Log;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ListOffsetsRequestData;
import dev.skiff.protocol.message.ListOffsetsResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * ListOffsets: earliest (-2), latest (-1), max timestamp (-3), earliest local/tiered (-4, -5: the same as
 * earliest here) or the first offset at or after a timestamp, looked up by {@link Partitions#offsetForTimestamp}.
 * Version 0 answers with a list of segment base offsets as Kafka 0.8 did.
 *
 * <p>Versions (Kafka's ListOffsetsRequest/ListOffsetsResponse schemas):
 * <ul>
 * <li>v0: per partition a timestamp and max_num_offsets; answers a list of offsets (old_style_offsets).
 * <li>v1: one offset per partition, with its timestamp; max_num_offsets is gone.
 * <li>v2: adds isolation_level (read_committed sees the last stable offset as latest); the response adds
 *     throttle_time_ms. v3: same as v2.
 * <li>v4: adds current_leader_epoch; the response adds leader_epoch. v5: OFFSET_NOT_AVAILABLE may be answered.
 * <li>v6: flexible versions.
 * <li>v7: max timestamp (-3, KIP-734). v8: earliest local offset (-4, KIP-405).
 * <li>v9: last tiered offset (-5, KIP-1005). v10: adds timeout_ms (async remote lookups, KIP-1075).
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on each topic, else TOPIC_AUTHORIZATION_FAILED per partition.
 */
public final class ListOffsetsApi implements ApiHandler<ListOffsetsRequestData> {

    private final Partitions partitions;

    private final Authorizer authorizer;

    ListOffsetsApi(Partitions partitions, Authorizer authorizer) {
        this.partitions = partitions;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 10;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ListOffsetsRequestData request) {
        short v = ctx.apiVersion();
        IsolationLevel isolation =
                v >= 2 ? IsolationLevel.of(request.isolationLevel()) : IsolationLevel.READ_UNCOMMITTED;
        ListOffsetsResponseData r = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic rt : request.topics()) {
            boolean denied = !authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, rt.name());
            Topic t = denied ? null : partitions.topic(rt.name());
            ListOffsetsResponseData.ListOffsetsTopicResponse tr =
                    new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(rt.name());
            r.topics().add(tr);
            for (ListOffsetsRequestData.ListOffsetsPartition rp : rt.partitions()) {
                ListOffsetsResponseData.ListOffsetsPartitionResponse pr =
                        new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                                .setPartitionIndex(rp.partitionIndex());
                tr.partitions().add(pr);
                if (denied) {
                    pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                Partition p = t == null ? null : t.partition(rp.partitionIndex());
                if (p == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                Errors lead = partitions.leadership(t.name(), rp.partitionIndex());
                if (lead != Errors.NONE) {
                    pr.setErrorCode(lead.code());
                    continue;
                }
                try {
                    p.checkLeader(v >= 4 ? rp.currentLeaderEpoch() : -1); // a single broker accepts all
                    if (v == 0) {
                        pr.setOldStyleOffsets(partitions.legacyOffsetsBefore(p, rp.timestamp(), rp.maxNumOffsets()));
                    } else {
                        pr.setLeaderEpoch(p.leaderEpoch());
                        Log.TimestampOffset found = partitions.offsetForTimestamp(p, rp.timestamp(), isolation);
                        pr.setOffset(found.offset()).setTimestamp(found.timestamp());
                    }
                } catch (ApiException e) {
                    pr.setErrorCode(e.error().code());
                }
            }
        }
        return CompletableFuture.completedFuture(r);
    }
}
