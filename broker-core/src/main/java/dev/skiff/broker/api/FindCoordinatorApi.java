package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.coordinator.CoordinatorLocator.KeyType;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.FindCoordinatorRequestData;
import dev.skiff.protocol.message.FindCoordinatorResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * FindCoordinator: the broker that leads the internal-topic partition of a group or transactional id (this one
 * when alone; {@link CoordinatorLocator} decides); v4+ asks for several keys at once, each answered on its own
 * (COORDINATOR_NOT_AVAILABLE while the partition has no leader). A key type other than group (0) or
 * transaction (1) fails the request with INVALID_REQUEST: Skiff offers no share groups.
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
 * <p>Authorization (as Kafka's): DESCRIBE on the group or transactional id, else GROUP_AUTHORIZATION_FAILED or
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED for that key. A single broker answers with the address of the listener
 * the client came in on.
 */
public final class FindCoordinatorApi implements ApiHandler<FindCoordinatorRequestData> {

    private final CoordinatorLocator locator;
    private final Authorizer authorizer;

    FindCoordinatorApi(CoordinatorLocator locator, Authorizer authorizer) {
        this.locator = locator;
        this.authorizer = authorizer;
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
        // a key type Skiff does not coordinate (share groups, or no type at all) fails the whole request
        KeyType type = KeyType.of(request.keyType());
        FindCoordinatorResponseData r = new FindCoordinatorResponseData();
        if (ctx.apiVersion() < 4) {
            try {
                BrokerEndpoint at = find(ctx, type, request.key());
                r.setNodeId(at.id()).setHost(at.host()).setPort(at.port());
            } catch (ApiException e) {
                r.setErrorCode(e.error().code())
                        .setErrorMessage(ctx.apiVersion() >= 1 ? e.getMessage() : null)
                        .setNodeId(-1)
                        .setHost("")
                        .setPort(-1);
            }
        } else {
            for (String key : request.coordinatorKeys()) {
                FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator().setKey(key);
                try {
                    BrokerEndpoint at = find(ctx, type, key);
                    c.setNodeId(at.id()).setHost(at.host()).setPort(at.port());
                } catch (ApiException e) {
                    c.setErrorCode(e.error().code())
                            .setErrorMessage(e.getMessage())
                            .setNodeId(-1)
                            .setHost("")
                            .setPort(-1);
                }
                r.coordinators().add(c);
            }
        }
        return CompletableFuture.completedFuture(r);
    }

    private BrokerEndpoint find(RequestContext ctx, KeyType type, String key) {
        if (key == null) throw new ApiException(Errors.INVALID_REQUEST, "no coordinator key");
        Errors denied = denied(ctx, type, key);
        if (denied != null) throw new ApiException(denied, Authorizer.message(denied));
        return locator.coordinator(type, key, ctx.listenerName());
    }

    /** DESCRIBE on the group or transactional id is needed, as Kafka checks it; null: allowed. */
    private Errors denied(RequestContext ctx, KeyType type, String key) {
        if (!authorizer.enabled()) return null;
        if (type == KeyType.TRANSACTION)
            return authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)
                    ? null
                    : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        return authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key)
                ? null
                : Errors.GROUP_AUTHORIZATION_FAILED;
    }
}
