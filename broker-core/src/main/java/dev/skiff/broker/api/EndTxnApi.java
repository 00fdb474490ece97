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
import dev.skiff.protocol.message.EndTxnRequestData;
import dev.skiff.protocol.message.EndTxnResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * EndTxn: commits or aborts. Answered once the decision is in the transaction log and the markers are in
 * every partition. Clients send v5 when ApiVersions finalizes the transaction.version feature at 2 (Skiff's
 * default; {@code transaction.version=1} keeps them on V1 and v4).
 *
 * <p>Versions (Kafka's EndTxn schemas):
 * <ul>
 * <li>v0: transactional_id, producer id and epoch, committed.
 * <li>v1: same as v0 (answers sent before throttling).
 * <li>v2: PRODUCER_FENCED may be answered.
 * <li>v3: flexible versions.
 * <li>v4: TRANSACTION_ABORTABLE may be answered (KIP-890).
 * <li>v5: transactions V2 (KIP-890 part 2): every end bumps the producer's epoch and the markers carry the new
 *     one ({@code TransactionCoordinator.endTransactionV2}); the response carries the producer id and epoch of
 *     the next transaction.
 * </ul>
 *
 * <p>Authorization (as Kafka's): WRITE on the transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
 */
public final class EndTxnApi implements ApiHandler<EndTxnRequestData> {

    private final CoordinatorLocator coordinators;

    private final TransactionCoordinator transactions;

    private final Authorizer authorizer;

    EndTxnApi(TransactionCoordinator transactions, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.transactions = transactions;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.END_TXN;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, EndTxnRequestData request) {
        // answered once what the coordinator wrote is replicated, as Kafka's acks=-1 coordinator writes
        return ReplicatedWrites.answerWhenReplicated(() -> handleNow(ctx, request));
    }

    private CompletableFuture<ApiMessage> handleNow(RequestContext ctx, EndTxnRequestData request) {
        if (!authorizer.authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId()))
            throw new ApiException(
                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "Transactional Id authorization failed.");
        coordinators.ensureCoordinator(TRANSACTION, request.transactionalId());
        try {
            if (ctx.apiVersion() >= 5) {
                TransactionCoordinator.InitResult next = transactions.endTransactionV2(
                        request.transactionalId(), request.producerId(), request.producerEpoch(), request.committed());
                return CompletableFuture.completedFuture(new EndTxnResponseData()
                        .setProducerId(next.producerId())
                        .setProducerEpoch(next.producerEpoch()));
            }
            transactions.endTransaction(
                    request.transactionalId(), request.producerId(), request.producerEpoch(), request.committed());
        } catch (ApiException e) {
            // the dispatcher answers it; older clients know a fenced producer as INVALID_PRODUCER_EPOCH
            throw FencedErrors.forVersion(e, ctx.apiVersion(), 2);
        }
        return CompletableFuture.completedFuture(
                new EndTxnResponseData().setProducerId(-1).setProducerEpoch((short) -1));
    }
}
