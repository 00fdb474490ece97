package dev.skiff.broker.api;

import dev.skiff.broker.AppendOrigin;
import dev.skiff.broker.LeaderHint;
import dev.skiff.broker.Partition;
import dev.skiff.broker.Partitions;
import dev.skiff.broker.RecordValidationException;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.ProduceResponseData;
import dev.skiff.protocol.records.DecompressionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Produce: each partition's records go to {@link Partitions#appendRecords} (validation, idempotence,
 * transactions, append); acks=0 gets no answer. On a replicated partition acks=-1 is answered once every
 * in-sync replica has the batch (the high watermark covers it), REQUEST_TIMED_OUT after timeout_ms, and
 * min.insync.replicas gives NOT_ENOUGH_REPLICAS (before the append) or NOT_ENOUGH_REPLICAS_AFTER_APPEND.
 *
 * <p>Versions (Kafka's ProduceRequest/ProduceResponse schemas):
 * <ul>
 * <li>v0: acks, timeout and per partition a message set (magic 0); answers base offset and error.
 * <li>v1: the response adds throttle_time_ms; message sets may be magic 0 or 1.
 * <li>v2: the response adds log_append_time_ms (message sets magic 1 carry timestamps).
 * <li>v3: adds transactional_id; records must be record batches v2 (idempotence, transactions).
 * <li>v4: same as v3; KAFKA_STORAGE_ERROR may be answered.
 * <li>v5: the response adds log_start_offset. v6: same as v5.
 * <li>v7: same as v6; batches may be zstd-compressed.
 * <li>v8: the response adds record_errors and error_message (KIP-467): a batch refused because of some of its
 *     records ({@link RecordValidationException}) lists their indexes and Kafka's messages.
 * <li>v9: flexible versions (compact strings and arrays, tagged fields).
 * <li>v10: the response may carry current_leader and node_endpoints as tagged fields (KIP-951): in a
 *     cluster a partition answered NOT_LEADER_OR_FOLLOWER names its leader and epoch, the answer its endpoint.
 * <li>v11: TRANSACTION_ABORTABLE may be answered (KIP-890). v12: transactions V2 (KIP-890): a transactional
 *     batch adds its partition to the producer's transaction itself (no AddPartitionsToTxn before it), through
 *     {@link Partitions#setTransactionAdder}; the answer waits until that addition is replicated.
 * <li>v13 (not served): topic ids instead of names.
 * </ul>
 * Kafka 4 rejects v0-v2 but still lists them; Skiff serves them for old clients.
 */
public final class ProduceApi implements ApiHandler<ProduceRequestData> {

    private final Partitions partitions;
    private final ScheduledExecutorService timer;

    private final Authorizer authorizer;

    ProduceApi(Partitions partitions, ScheduledExecutorService timer, Authorizer authorizer) {
        this.partitions = partitions;
        this.timer = timer;
        this.authorizer = authorizer;
    }

    /** An acks=-1 answer waiting for the high watermark of one partition. */
    private record Pending(
            Partition partition,
            ProduceResponseData.PartitionProduceResponse response,
            CompletableFuture<Errors> done) {}

    @Override
    public ApiKeys api() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 12;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ProduceRequestData request) {
        short v = ctx.apiVersion();
        ProduceResponseData response = new ProduceResponseData();
        DecompressionBudget budget = partitions.decompressionBudget();
        // a transactional producer needs WRITE on its transactional id, for the whole request
        if (v >= 3
                && request.transactionalId() != null
                && !authorizer.authorize(
                        ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId()))
            throw new ApiException(
                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "Transactional Id authorization failed.");
        List<Pending> pending = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData td : request.topicData()) {
            Topic topic =
                    td.topicId() != null && v >= 13 ? partitions.topic(td.topicId()) : partitions.topic(td.name());
            String name = td.topicId() != null && v >= 13 ? (topic == null ? null : topic.name()) : td.name();
            boolean denied = name != null && !authorizer.authorize(ctx, AclOperation.WRITE, ResourceType.TOPIC, name);
            ProduceResponseData.TopicProduceResponse tr = new ProduceResponseData.TopicProduceResponse()
                    .setName(td.name())
                    .setTopicId(td.topicId());
            response.responses().add(tr);
            for (ProduceRequestData.PartitionProduceData pd : td.partitionData()) {
                ProduceResponseData.PartitionProduceResponse pr = new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(pd.index())
                        .setBaseOffset(-1);
                tr.partitionResponses().add(pr);
                if (denied) {
                    // before looking the topic up: its existence is not told
                    pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                Partition p = topic == null ? null : topic.partition(pd.index());
                if (p == null) {
                    pr.setErrorCode((v >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                    continue;
                }
                Errors lead = partitions.leadership(topic.name(), pd.index());
                if (lead != Errors.NONE) {
                    pr.setErrorCode(lead.code());
                    continue;
                }
                try {
                    Partitions.AppendResult r = partitions.appendRecords(
                            topic,
                            p,
                            pd.records(),
                            request.acks(),
                            AppendOrigin.CLIENT,
                            v < 3,
                            budget,
                            v >= 12 ? request.transactionalId() : null);
                    pr.setBaseOffset(r.baseOffset()).setLogAppendTimeMs(r.logAppendTimeMs());
                    CompletableFuture<Errors> wait =
                            r.requiredHighWatermark() >= 0 ? p.awaitHighWatermark(r.requiredHighWatermark()) : null;
                    if (r.coordinatorWrite() != null && !isDoneNormally(r.coordinatorWrite())) {
                        // transactions V2: the partition's addition to the transaction must be replicated too
                        CompletableFuture<Errors> added = r.coordinatorWrite()
                                .handle((x, failure) -> failure == null ? Errors.NONE : Errors.NOT_ENOUGH_REPLICAS);
                        wait = wait == null ? added : wait.thenCombine(added, (a, b) -> a != Errors.NONE ? a : b);
                    }
                    if (wait != null) pending.add(new Pending(p, pr, wait));
                } catch (ApiException e) {
                    pr.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
                    if (e instanceof RecordValidationException bad) pr.setRecordErrors(recordErrors(bad));
                }
                pr.setLogStartOffset(p.logStartOffset());
            }
        }
        if (request.acks() == 0) return CompletableFuture.completedFuture(null);
        if (pending.isEmpty()) return CompletableFuture.completedFuture(withLeaderHints(v, response));
        return awaitReplicas(ctx, request.timeoutMs(), response, pending)
                .thenApply(r -> withLeaderHints(v, (ProduceResponseData) r));
    }

    /** v10+: partitions answered NOT_LEADER_OR_FOLLOWER name their leader, and the answer its endpoint. */
    private ProduceResponseData withLeaderHints(short v, ProduceResponseData response) {
        if (v < 10) return response;
        LeaderHints hints = new LeaderHints(partitions, false);
        for (ProduceResponseData.TopicProduceResponse t : response.responses())
            for (ProduceResponseData.PartitionProduceResponse p : t.partitionResponses()) {
                LeaderHint h = hints.forAnswer(p.errorCode(), t.name(), p.index());
                if (h != null) p.currentLeader().setLeaderId(h.leaderId()).setLeaderEpoch(h.leaderEpoch());
            }
        for (LeaderHint h : hints.endpoints())
            response.nodeEndpoints()
                    .add(new ProduceResponseData.NodeEndpoint()
                            .setNodeId(h.leaderId())
                            .setHost(h.host())
                            .setPort(h.port())
                            .setRack(h.rack()));
        return response;
    }

    private static boolean isDoneNormally(CompletableFuture<?> f) {
        return f.isDone() && !f.isCompletedExceptionally();
    }

    /** KIP-467: the bad records of a refused batch, for v8+ (older versions do not carry them). */
    private static List<ProduceResponseData.BatchIndexAndErrorMessage> recordErrors(RecordValidationException e) {
        List<ProduceResponseData.BatchIndexAndErrorMessage> out =
                new ArrayList<>(e.recordErrors().size());
        for (RecordValidationException.RecordError r : e.recordErrors())
            out.add(new ProduceResponseData.BatchIndexAndErrorMessage()
                    .setBatchIndex(r.batchIndex())
                    .setBatchIndexErrorMessage(r.message()));
        return out;
    }

    /** Answers when every pending partition has its answer: replicated, timed out, or refused. */
    private CompletableFuture<ApiMessage> awaitReplicas(
            RequestContext ctx, int timeoutMs, ProduceResponseData response, List<Pending> pending) {
        List<ReplicationWaits.Wait> waits = new ArrayList<>();
        for (Pending w : pending)
            waits.add(new ReplicationWaits.Wait(
                    w.done(), () -> w.partition().cancelHighWatermarkWait(w.done()), error -> {
                        if (error != Errors.NONE)
                            w.response()
                                    .setErrorCode(error.code())
                                    .setErrorMessage(error.name())
                                    .setBaseOffset(-1);
                    }));
        return ReplicationWaits.answerWhenDone(ctx, timer, timeoutMs, response, waits);
    }
}
