package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.producer.ProducerIds;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.txn.TransactionalInitProducerId;
import dev.skiff.protocol.ApiException;
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
 * transaction coordinator, which draws from the same id space.
 *
 * <p>Versions (Kafka's InitProducerId schemas):
 * <ul>
 * <li>v0: transactional_id (null for idempotence) and transaction_timeout_ms; answers producer id and epoch.
 * <li>v1: same as v0 (responses sent before throttling, KIP-219).
 * <li>v2: flexible versions.
 * <li>v3: adds producer_id and producer_epoch so a producer can bump its epoch (KIP-360).
 * <li>v4: PRODUCER_FENCED may be answered instead of INVALID_PRODUCER_EPOCH (KIP-588).
 * <li>v5: same as v4 (transactions v2, KIP-890).
 * <li>v6 (not served): enable_2pc and keep_prepared_txn (KIP-939), not stable in Kafka 4.1.
 * </ul>
 *
 * <p>Authorization (as Kafka's): a transactional id needs WRITE on it (TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
 * an idempotent producer IDEMPOTENT_WRITE on the cluster or WRITE on some topic (CLUSTER_AUTHORIZATION_FAILED).
 */
public final class InitProducerIdApi implements ApiHandler<InitProducerIdRequestData> {

    private final CoordinatorLocator coordinators;

    private final ProducerIds ids;
    private final TransactionalInitProducerId transactional;

    private final Authorizer authorizer;

    InitProducerIdApi(
            ProducerIds ids,
            TransactionalInitProducerId transactional,
            CoordinatorLocator coordinators,
            Authorizer authorizer) {
        this.authorizer = authorizer;
        this.ids = ids;
        this.transactional = transactional;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    } // v6 (two-phase commit) is not stable in Kafka 4.1

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, InitProducerIdRequestData request) {
        if (request.transactionalId() != null) {
            if (!authorizer.authorize(
                    ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId()))
                throw new ApiException(
                        Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, "Transactional Id authorization failed.");
            try {
                coordinators.ensureCoordinator(CoordinatorLocator.KeyType.TRANSACTION, request.transactionalId());
            } catch (ApiException e) { // built here: the generated error would echo the producer id and epoch
                return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                        .setErrorCode(e.error().code())
                        .setProducerId(-1)
                        .setProducerEpoch((short) -1));
            }
            return transactional.handle(ctx, request);
        }
        if (!authorizer.authorizeCluster(ctx, AclOperation.IDEMPOTENT_WRITE)
                && !authorizer.authorizeByResourceType(ctx, AclOperation.WRITE, ResourceType.TOPIC))
            throw new ApiException(Errors.CLUSTER_AUTHORIZATION_FAILED, "Cluster authorization failed.");
        InitProducerIdResponseData r =
                new InitProducerIdResponseData().setProducerId(-1).setProducerEpoch((short) -1);
        try {
            r.setProducerId(ids.next()).setProducerEpoch((short) 0);
        } catch (RuntimeException e) { // the id file could not be written: nothing was handed out
            r.setErrorCode(Errors.UNKNOWN_SERVER_ERROR.code());
        }
        return CompletableFuture.completedFuture(r);
    }
}
