package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.TRANSACTION;

import dev.skiff.broker.ReplicatedWrites;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.txn.FencedErrors;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AddOffsetsToTxnRequestData;
import dev.skiff.protocol.message.AddOffsetsToTxnResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * AddOffsetsToTxn: the group's offsets will be committed with the transaction (sendOffsetsToTransaction).
 *
 * <p>Versions (Kafka's AddOffsetsToTxn schemas):
 * <ul>
 * <li>v0: transactional_id, producer id and epoch, group_id: the group's offsets join the transaction.
 * <li>v1: same as v0 (answers sent before throttling).
 * <li>v2: PRODUCER_FENCED may be answered.
 * <li>v3: flexible versions.
 * <li>v4: TRANSACTION_ABORTABLE may be answered (KIP-890).
 * </ul>
 *
 * <p>Authorization (as Kafka's): WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), READ
 * on the group (GROUP_AUTHORIZATION_FAILED).
 */
public final class AddOffsetsToTxnApi implements ApiHandler<AddOffsetsToTxnRequestData> {

    private final CoordinatorLocator coordinators;

    private final TransactionCoordinator transactions;

    private final Authorizer authorizer;

    AddOffsetsToTxnApi(TransactionCoordinator transactions, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.transactions = transactions;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.ADD_OFFSETS_TO_TXN;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, AddOffsetsToTxnRequestData request) {
        // answered once what the coordinator wrote is replicated, as Kafka's acks=-1 coordinator writes
        return ReplicatedWrites.answerWhenReplicated(() -> handleNow(ctx, request));
    }

    private CompletableFuture<ApiMessage> handleNow(RequestContext ctx, AddOffsetsToTxnRequestData request) {
        if (!authorizer.authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId()))
            throw new ApiException(
                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "Transactional Id authorization failed.");
        if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId()))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
        coordinators.ensureCoordinator(TRANSACTION, request.transactionalId());
        try {
            transactions.addOffsets(
                    request.transactionalId(), request.producerId(), request.producerEpoch(), request.groupId());
        } catch (ApiException e) {
            // the dispatcher answers it; older clients know a fenced producer as INVALID_PRODUCER_EPOCH
            throw FencedErrors.forVersion(e, ctx.apiVersion(), 2);
        }
        return CompletableFuture.completedFuture(new AddOffsetsToTxnResponseData());
    }
}
