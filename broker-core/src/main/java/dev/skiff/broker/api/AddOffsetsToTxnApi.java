package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.txn.FencedErrors;
import dev.skiff.broker.txn.TransactionCoordinator;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AddOffsetsToTxnRequestData;
import dev.skiff.protocol.message.AddOffsetsToTxnResponseData;
import java.util.concurrent.CompletableFuture;

/** AddOffsetsToTxn: the group's offsets will be committed with the transaction (sendOffsetsToTransaction). */
public final class AddOffsetsToTxnApi implements ApiHandler<AddOffsetsToTxnRequestData> {

    private final TransactionCoordinator transactions;

    AddOffsetsToTxnApi(TransactionCoordinator transactions) { this.transactions = transactions; }

    @Override public ApiKeys api() { return ApiKeys.ADD_OFFSETS_TO_TXN; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 4; }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, AddOffsetsToTxnRequestData request) {
        Errors e = request.groupId() == null || request.groupId().isEmpty() ? Errors.INVALID_GROUP_ID
                : transactions.addOffsets(request.transactionalId(), request.producerId(),
                        request.producerEpoch(), request.groupId());
        return CompletableFuture.completedFuture(new AddOffsetsToTxnResponseData()
                .setErrorCode(FencedErrors.forVersion(e, ctx.apiVersion(), 2).code()));
    }
}
