package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.ReplicatedWrites;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.group.CommittedOffset;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.group.OffsetStore;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.txn.FencedErrors;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.TxnOffsetCommitRequestData;
import dev.skiff.protocol.message.TxnOffsetCommitResponseData;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * TxnOffsetCommit: offsets consumed in a transaction, kept with it by the transaction coordinator and stored
 * in the group's offsets only when it commits (discarded on abort), so OffsetFetch never sees them before.
 * From v3 the consumer's generation and member id come along and are checked against the group.
 *
 * <p>Versions (Kafka's TxnOffsetCommit schemas):
 * <ul>
 * <li>v0: transactional_id, group id, producer id and epoch, offsets.
 * <li>v1: same as v0 (answers sent before throttling).
 * <li>v2: adds committed_leader_epoch.
 * <li>v3: adds generation_id, member_id and group_instance_id.
 * <li>v4: TRANSACTION_ABORTABLE may be answered (KIP-890).
 * <li>v5: transactions V2 (KIP-890): adds the group to the transaction by itself (no AddOffsetsToTxn before).
 * </ul>
 *
 * <p>Authorization (as Kafka's): WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), READ
 * on the group (GROUP_AUTHORIZATION_FAILED), READ on each topic (TOPIC_AUTHORIZATION_FAILED per partition).
 */
public final class TxnOffsetCommitApi implements ApiHandler<TxnOffsetCommitRequestData> {

    private final CoordinatorLocator coordinators;

    private final TopicManager topics;
    private final OffsetStore offsets;
    private final GroupCoordinator groups;
    private final TransactionCoordinator transactions;
    private final Authorizer authorizer;

    TxnOffsetCommitApi(
            TopicManager topics,
            OffsetStore offsets,
            GroupCoordinator groups,
            TransactionCoordinator transactions,
            CoordinatorLocator coordinators,
            Authorizer authorizer) {
        this.coordinators = coordinators;
        this.authorizer = authorizer;
        this.topics = topics;
        this.offsets = offsets;
        this.groups = groups;
        this.transactions = transactions;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.TXN_OFFSET_COMMIT;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    } // v5 is transaction protocol V2 only

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, TxnOffsetCommitRequestData request) {
        // answered once what the coordinator wrote is replicated, as Kafka's acks=-1 coordinator writes
        return ReplicatedWrites.answerWhenReplicated(() -> handleNow(ctx, request));
    }

    private CompletableFuture<ApiMessage> handleNow(RequestContext ctx, TxnOffsetCommitRequestData request) {
        if (!authorizer.authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId()))
            throw new ApiException(
                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "Transactional Id authorization failed.");
        if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId()))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
        coordinators.ensureCoordinator(GROUP, request.groupId()); // sent to the group's coordinator
        short v = ctx.apiVersion();
        long now = System.currentTimeMillis();
        Map<TopicPartition, Errors> errors = new LinkedHashMap<>();
        Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
        for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic rt : request.topics()) {
            Topic t = topics.get(rt.name());
            boolean denied = !authorizer.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, rt.name());
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition rp : rt.partitions()) {
                TopicPartition tp = new TopicPartition(rt.name(), rp.partitionIndex());
                String metadata = rp.committedMetadata();
                if (denied) {
                    errors.put(tp, Errors.TOPIC_AUTHORIZATION_FAILED);
                } else if (t == null || t.partition(rp.partitionIndex()) == null) {
                    errors.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else if (offsets.metadataError(metadata) != Errors.NONE) {
                    errors.put(tp, Errors.OFFSET_METADATA_TOO_LARGE);
                } else {
                    accepted.put(
                            tp, new CommittedOffset(rp.committedOffset(), rp.committedLeaderEpoch(), metadata, now));
                    errors.put(tp, Errors.NONE);
                }
            }
        }
        Errors e = groupError(request);
        if (e == Errors.NONE && !accepted.isEmpty()) {
            try {
                // the transaction's own coordinator keeps them: another broker's in a cluster
                TransactionCoordinator tc = coordinators.transactionsOf(request.transactionalId(), transactions);
                if (v >= 5) // transactions V2: the group joins the transaction with its first offsets
                tc.addOffsets(
                            request.transactionalId(),
                            request.producerId(),
                            request.producerEpoch(),
                            request.groupId());
                tc.commitOffsets(
                        request.transactionalId(),
                        request.producerId(),
                        request.producerEpoch(),
                        request.groupId(),
                        accepted);
            } catch (ApiException failed) {
                e = failed.error(); // answered for each partition of the commit
            }
        }
        Errors common = FencedErrors.forVersion(e, v, 3);
        for (TopicPartition tp : accepted.keySet()) errors.put(tp, common);
        return CompletableFuture.completedFuture(answer(errors));
    }

    /** Kafka accepts commits without generation (v0-2, or -1 and no member); others must match the group. */
    private Errors groupError(TxnOffsetCommitRequestData request) {
        if (request.generationId() < 0
                && (request.memberId() == null || request.memberId().isEmpty())) return Errors.NONE;
        try {
            groups.validateCommit(
                    request.groupId(), request.generationId(), request.memberId(), request.groupInstanceId());
            return Errors.NONE;
        } catch (ApiException e) {
            // REBALANCE_IN_PROGRESS: the generation matched; Kafka takes it
            return e.error() == Errors.REBALANCE_IN_PROGRESS ? Errors.NONE : e.error();
        }
    }

    private static TxnOffsetCommitResponseData answer(Map<TopicPartition, Errors> errors) {
        TxnOffsetCommitResponseData r = new TxnOffsetCommitResponseData();
        Map<String, TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic> byTopic = new LinkedHashMap<>();
        errors.forEach((tp, e) -> byTopic.computeIfAbsent(tp.topic(), n -> {
                    TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic t =
                            new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic().setName(n);
                    r.topics().add(t);
                    return t;
                })
                .partitions()
                .add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                        .setPartitionIndex(tp.partition())
                        .setErrorCode(e.code())));
        return r;
    }
}
