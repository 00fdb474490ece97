package dev.skiff.broker.txn;

import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.InitProducerIdRequestData;
import dev.skiff.protocol.message.InitProducerIdResponseData;
import java.util.concurrent.CompletableFuture;

/** InitProducerId with a transactional id, answered by the coordinator. */
public final class TransactionalInitProducerId {

    private final TransactionCoordinator coordinator;

    public TransactionalInitProducerId(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    public CompletableFuture<ApiMessage> handle(RequestContext ctx, InitProducerIdRequestData request) {
        // producer id and epoch of the caller come with v3+ (KIP-360); before they are -1, as the defaults
        long expectedId = ctx.apiVersion() >= 3 ? request.producerId() : -1;
        short expectedEpoch = ctx.apiVersion() >= 3 ? request.producerEpoch() : -1;
        try {
            TransactionCoordinator.InitResult r = coordinator.initProducerId(
                    request.transactionalId(), request.transactionTimeoutMs(), expectedId, expectedEpoch);
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setProducerId(r.producerId())
                    .setProducerEpoch(r.producerEpoch()));
        } catch (ApiException e) {
            // built here: the generated error response would echo the request's producer id and epoch
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(FencedErrors.forVersion(e.error(), ctx.apiVersion(), 4)
                            .code())
                    .setProducerId(-1)
                    .setProducerEpoch((short) -1));
        }
    }
}
