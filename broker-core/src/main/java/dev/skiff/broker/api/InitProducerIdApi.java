package dev.skiff.broker.api;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.producer.ProducerIds;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.InitProducerIdRequestData;
import dev.skiff.protocol.message.InitProducerIdResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * InitProducerId. Without a transactional id (the idempotent producer every kafka-clients 3.x/4.x uses by
 * default) Kafka hands out a fresh producer id with epoch 0 every time, whatever id and epoch the client
 * passes: the client bumps an idempotent epoch by itself. Requests with a transactional id go to the
 * transaction coordinator, plugged in with {@link #setTransactional}; until then they get
 * COORDINATOR_NOT_AVAILABLE, which a transactional producer retries until its timeout.
 */
public final class InitProducerIdApi implements ApiHandler<InitProducerIdRequestData> {

    /** The transaction coordinator's side of InitProducerId. */
    public interface Transactional {
        CompletableFuture<ApiMessage> handle(RequestContext ctx, InitProducerIdRequestData request);
    }

    private final ProducerIds ids;
    private volatile Transactional transactional;

    InitProducerIdApi(Broker broker) {
        this(ProducerIds.forBroker(broker.persistent(), broker.config().dataDir));
    }

    InitProducerIdApi(ProducerIds ids) { this.ids = ids; }

    @Override public ApiKeys api() { return ApiKeys.INIT_PRODUCER_ID; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 5; } // v6 (two-phase commit) is not stable in Kafka 4.1

    /** The allocator, shared with the transaction coordinator so both draw from one id space. */
    public ProducerIds producerIds() { return ids; }

    public void setTransactional(Transactional coordinator) { this.transactional = coordinator; }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, InitProducerIdRequestData request) {
        InitProducerIdResponseData r = new InitProducerIdResponseData().setProducerId(-1).setProducerEpoch((short) -1);
        if (request.transactionalId() != null) {
            Transactional t = transactional;
            if (t != null) return t.handle(ctx, request);
            if (request.transactionalId().isEmpty()) return done(r.setErrorCode(Errors.INVALID_REQUEST.code()));
            return done(r.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        }
        try {
            return done(r.setProducerId(ids.next()).setProducerEpoch((short) 0));
        } catch (RuntimeException e) { // the id file could not be written: nothing was handed out
            return done(r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code()));
        }
    }

    private static CompletableFuture<ApiMessage> done(InitProducerIdResponseData r) {
        return CompletableFuture.completedFuture(r);
    }
}
