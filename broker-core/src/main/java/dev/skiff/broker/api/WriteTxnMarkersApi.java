package dev.skiff.broker.api;

import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.Partition;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.txn.TransactionMarkers;
import dev.skiff.log.Log;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.WriteTxnMarkersRequestData;
import dev.skiff.protocol.message.WriteTxnMarkersResponseData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * WriteTxnMarkers: writes the commit or abort marker of a producer's transaction into the partitions named. Kafka's
 * transaction coordinators send it to partition leaders; Skiff's coordinator writes its markers in process, so what
 * arrives here is Admin.abortTransaction ({@code kafka-transactions abort}) ending a hanging transaction. Each
 * partition answers on its own: UNKNOWN_TOPIC_OR_PARTITION when this broker has no such partition,
 * NOT_LEADER_OR_FOLLOWER when another broker leads it, INVALID_PRODUCER_EPOCH for an epoch older than the producer's,
 * TRANSACTION_COORDINATOR_FENCED for a coordinator epoch older than the last marker's (Kafka's ProducerAppendInfo
 * checks); a negative producer id writes nothing and answers UNKNOWN_SERVER_ERROR, as Kafka 4.1.1 does. A marker for a partition of an internal topic writes nothing: Skiff's coordinators keep a transaction's
 * offsets and share state themselves and end them with the transaction. On a replicated partition the answer waits
 * until the marker is replicated (Kafka appends it with acks=-1), at most Kafka's request.timeout.ms default.
 *
 * <p>Versions (Kafka 4.1.1 serves v1 only; v0 was removed in 4.0):
 * <ul>
 * <li>v1: flexible versions; per marker the producer id and epoch, commit or abort, the coordinator epoch and the
 *     topics and partitions; the answer has an error code per partition, grouped by producer id and topic.
 * </ul>
 *
 * <p>Authorization (as Kafka's): ALTER on the cluster, else CLUSTER_ACTION on the cluster, else the whole request
 * fails with CLUSTER_AUTHORIZATION_FAILED.
 */
public final class WriteTxnMarkersApi implements ApiHandler<WriteTxnMarkersRequestData> {

    /** Kafka's request.timeout.ms default, which bounds its acks=-1 append of the markers. */
    private static final int REPLICATION_TIMEOUT_MS = 30_000;

    private final Partitions partitions;
    private final ScheduledExecutorService timer;
    private final Authorizer authorizer;

    WriteTxnMarkersApi(Partitions partitions, ScheduledExecutorService timer, Authorizer authorizer) {
        this.partitions = partitions;
        this.timer = timer;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.WRITE_TXN_MARKERS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    /** A partition's answer waiting for its marker to be replicated. */
    private record Pending(
            Partition partition,
            WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult result,
            CompletableFuture<Errors> done) {}

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, WriteTxnMarkersRequestData request) {
        if (!authorizer.authorizeCluster(ctx, AclOperation.ALTER)
                && !authorizer.authorizeCluster(ctx, AclOperation.CLUSTER_ACTION))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED, Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        List<Pending> pending = new ArrayList<>();
        long now = System.currentTimeMillis();
        // as Kafka's answer: one result per producer id and topic, none for a marker that names no partition
        Map<Long, Map<String, Map<Integer, WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult>>> results =
                new LinkedHashMap<>();
        for (WriteTxnMarkersRequestData.WritableTxnMarker marker : request.markers()) {
            for (WriteTxnMarkersRequestData.WritableTxnMarkerTopic t : marker.topics()) {
                for (int index : t.partitionIndexes()) {
                    // one result per partition and producer, as Kafka's map of them (the last marker's)
                    WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult pr = results.computeIfAbsent(
                                    marker.producerId(), id -> new LinkedHashMap<>())
                            .computeIfAbsent(t.name(), n -> new LinkedHashMap<>())
                            .computeIfAbsent(
                                    index,
                                    i -> new WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult()
                                            .setPartitionIndex(i));
                    pr.setErrorCode(Errors.NONE.code());
                    Partition p = t.name() == null ? null : partitions.partition(t.name(), index);
                    if (p == null) {
                        pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                        continue;
                    }
                    Errors lead = partitions.leadership(t.name(), index);
                    if (lead != Errors.NONE) {
                        pr.setErrorCode(lead.code());
                        continue;
                    }
                    if (marker.producerId() < 0) {
                        // Kafka fails a control batch without a producer id with an unexpected error
                        pr.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code());
                        continue;
                    }
                    if (InternalTopics.isInternal(t.name())) continue; // the coordinators end their own state
                    try {
                        Log.AppendInfo info = TransactionMarkers.writeChecked(
                                p,
                                marker.producerId(),
                                marker.producerEpoch(),
                                marker.coordinatorEpoch(),
                                marker.transactionResult(),
                                now);
                        if (p.role() != null)
                            pending.add(new Pending(p, pr, p.awaitHighWatermark(info.lastOffset() + 1)));
                    } catch (ApiException e) {
                        pr.setErrorCode(e.error().code());
                    }
                }
            }
        }
        results.forEach((id, topics) -> {
            WriteTxnMarkersResponseData.WritableTxnMarkerResult mr =
                    new WriteTxnMarkersResponseData.WritableTxnMarkerResult().setProducerId(id);
            topics.forEach((name, parts) -> mr.topics()
                    .add(new WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult()
                            .setName(name)
                            .setPartitions(new ArrayList<>(parts.values()))));
            response.markers().add(mr);
        });
        if (pending.isEmpty()) return CompletableFuture.completedFuture(response);
        return awaitReplicas(ctx, response, pending);
    }

    /** Answers when every replicated marker is in the high watermark, refused, or timed out. */
    private CompletableFuture<ApiMessage> awaitReplicas(
            RequestContext ctx, WriteTxnMarkersResponseData response, List<Pending> pending) {
        List<ReplicationWaits.Wait> waits = new ArrayList<>();
        for (Pending w : pending)
            waits.add(new ReplicationWaits.Wait(
                    w.done(), () -> w.partition().cancelHighWatermarkWait(w.done()), error -> {
                        if (error != Errors.NONE) w.result().setErrorCode(error.code());
                    }));
        return ReplicationWaits.answerWhenDone(ctx, timer, REPLICATION_TIMEOUT_MS, response, waits);
    }
}
