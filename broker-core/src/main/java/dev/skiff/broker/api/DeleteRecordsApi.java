package dev.skiff.broker.api;

import dev.skiff.broker.Partition;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DeleteRecordsRequestData;
import dev.skiff.protocol.message.DeleteRecordsResponseData;
import dev.skiff.protocol.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * DeleteRecords: moves each partition's log start offset forward to the given offset (-1: the high
 * watermark) through {@link Partitions#deleteRecords} and answers with the low watermark. Offsets above the
 * high watermark are OFFSET_OUT_OF_RANGE; internal topics are INVALID_TOPIC_EXCEPTION, as in Kafka.
 *
 * <p>Replicated, as Kafka's: the answer waits until every replica on a live broker starts at the offset (the
 * low watermark, which followers report in their fetches), else REQUEST_TIMED_OUT at timeout_ms; an
 * answer of NONE means no leader elected later serves what was deleted.
 *
 * <p>Versions (Kafka's DeleteRecords schemas):
 * <ul>
 * <li>v0: per partition the offset before which records go, and timeout_ms; answers low_watermark.
 * <li>v1: same as v0 (responses sent before throttling, KIP-219).
 * <li>v2: flexible versions.
 * </ul>
 *
 * <p>Authorization (as Kafka's): DELETE on each topic, else TOPIC_AUTHORIZATION_FAILED per partition.
 */
public final class DeleteRecordsApi implements ApiHandler<DeleteRecordsRequestData> {

    private final Partitions partitions;
    private final ScheduledExecutorService timer;
    private final Authorizer authorizer;

    DeleteRecordsApi(Partitions partitions, ScheduledExecutorService timer, Authorizer authorizer) {
        this.partitions = partitions;
        this.timer = timer;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DeleteRecordsRequestData request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        List<ReplicationWaits.Wait> waits = new ArrayList<>();
        for (DeleteRecordsRequestData.DeleteRecordsTopic t : request.topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult tr =
                    new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(t.name());
            response.topics().add(tr);
            boolean denied = !authorizer.authorize(ctx, AclOperation.DELETE, ResourceType.TOPIC, t.name());
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : t.partitions()) {
                if (denied) {
                    tr.partitions()
                            .add(new DeleteRecordsPartitionResult()
                                    .setPartitionIndex(p.partitionIndex())
                                    .setLowWatermark(-1)
                                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                    continue;
                }
                tr.partitions().add(delete(partitions.partition(t.name(), p.partitionIndex()), p, waits));
            }
        }
        if (waits.isEmpty()) return CompletableFuture.completedFuture(response);
        return ReplicationWaits.answerWhenDone(ctx, timer, request.timeoutMs(), response, waits);
    }

    /** Deletes, then answers at once, or adds a wait for the replicas that still hold the records. */
    private DeleteRecordsPartitionResult delete(
            Partition p, DeleteRecordsRequestData.DeleteRecordsPartition req, List<ReplicationWaits.Wait> waits) {
        DeleteRecordsPartitionResult r = new DeleteRecordsPartitionResult()
                .setPartitionIndex(req.partitionIndex())
                .setLowWatermark(-1);
        if (p == null) return r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        try {
            long before = partitions.deleteRecords(p, req.offset());
            if (p.lowWatermark() >= before) return r.setLowWatermark(p.lowWatermark());
            CompletableFuture<Errors> done = p.awaitLowWatermark(before);
            waits.add(new ReplicationWaits.Wait(done, () -> p.cancelLowWatermarkWait(done), error -> {
                if (error == Errors.NONE) r.setLowWatermark(p.lowWatermark());
                else r.setErrorCode(error.code());
            }));
            return r;
        } catch (ApiException e) {
            return r.setErrorCode(e.error().code());
        }
    }
}
