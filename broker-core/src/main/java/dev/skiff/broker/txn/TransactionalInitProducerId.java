package dev.skiff.broker.txn;

import dev.skiff.broker.ReplicatedWrites;
import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.message.InitProducerIdRequestData;
import dev.skiff.protocol.message.InitProducerIdResponseData;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
            // the producer hears its id and epoch once they are replicated: a new coordinator knows them
            ReplicatedWrites.Tracked<TransactionCoordinator.InitResult> t =
                    ReplicatedWrites.track(() -> coordinator.initProducerId(
                            request.transactionalId(), request.transactionTimeoutMs(), expectedId, expectedEpoch));
            TransactionCoordinator.InitResult r = t.result();
            return t.writes()
                    .replicated()
                    .<ApiMessage>thenApply(x -> new InitProducerIdResponseData()
                            .setProducerId(r.producerId())
                            .setProducerEpoch(r.producerEpoch()))
                    .exceptionally(failure -> {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure;
                        if (cause instanceof ApiException e) return error(ctx, e);
                        throw failure instanceof CompletionException c ? c : new CompletionException(failure);
                    });
        } catch (ApiException e) {
            return CompletableFuture.completedFuture(error(ctx, e));
        }
    }

    /** Built here: the generated error response would echo the request's producer id and epoch. */
    private static ApiMessage error(RequestContext ctx, ApiException e) {
        return new InitProducerIdResponseData()
                .setErrorCode(
                        FencedErrors.forVersion(e.error(), ctx.apiVersion(), 4).code())
                .setProducerId(-1)
                .setProducerEpoch((short) -1);
    }
}
