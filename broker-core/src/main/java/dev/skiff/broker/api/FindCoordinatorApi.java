package dev.skiff.broker.api;

import dev.skiff.broker.AdvertisedAddress;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.FindCoordinatorRequestData;
import dev.skiff.protocol.message.FindCoordinatorResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * FindCoordinator: this broker coordinates every group and transaction; v4+ asks for several keys at once.
 *
 * <p>Versions (Kafka's FindCoordinator schemas):
 * <ul>
 * <li>v0: a group id; answers node id, host and port.
 * <li>v1: adds key_type (0 group, 1 transaction); the response adds throttle_time_ms and error_message. v2:
 *     same as v1.
 * <li>v3: flexible versions.
 * <li>v4: several keys at once (coordinator_keys, one answer per key, KIP-699).
 * <li>v5: TRANSACTION_ABORTABLE may be answered (KIP-890).
 * <li>v6: key type 2 for share groups (KIP-932).
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on the group or transactional id, else
 * GROUP_AUTHORIZATION_FAILED / TRANSACTIONAL_ID_AUTHORIZATION_FAILED for that key.
 */
public final class FindCoordinatorApi implements ApiHandler<FindCoordinatorRequestData> {

    private final BrokerConfig config;
    private final AdvertisedAddress address;

    private final Authorizer authorizer;

    FindCoordinatorApi(BrokerConfig config, AdvertisedAddress address, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.config = config;
        this.address = address;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, FindCoordinatorRequestData request) {
        FindCoordinatorResponseData r = new FindCoordinatorResponseData();
        byte keyType = ctx.apiVersion() >= 1 ? request.keyType() : 0;
        if (ctx.apiVersion() < 4) {
            Errors denied = denied(ctx, keyType, request.key());
            if (denied != null)
                return CompletableFuture.completedFuture(r.setErrorCode(denied.code())
                        .setErrorMessage(Authorizer.message(denied))
                        .setNodeId(-1)
                        .setHost("")
                        .setPort(-1));
            r.setNodeId(config.nodeId)
                    .setHost(address.host(ctx.listenerName()))
                    .setPort(address.port(ctx.listenerName()));
        } else {
            for (String key : request.coordinatorKeys()) {
                FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator().setKey(key);
                r.coordinators().add(c);
                Errors denied = denied(ctx, keyType, key);
                if (denied != null) {
                    c.setErrorCode(denied.code())
                            .setErrorMessage(Authorizer.message(denied))
                            .setNodeId(-1)
                            .setHost("")
                            .setPort(-1);
                    continue;
                }
                c.setNodeId(config.nodeId)
                        .setHost(address.host(ctx.listenerName()))
                        .setPort(address.port(ctx.listenerName()));
            }
        }
        return CompletableFuture.completedFuture(r);
    }

    /** DESCRIBE on the group (key type 0) or transactional id (1) is needed, as Kafka checks it; null: allowed. */
    private Errors denied(RequestContext ctx, byte keyType, String key) {
        if (!authorizer.enabled() || key == null) return null;
        if (keyType == 1)
            return authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)
                    ? null
                    : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        if (keyType == 0)
            return authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key)
                    ? null
                    : Errors.GROUP_AUTHORIZATION_FAILED;
        return null;
    }
}
